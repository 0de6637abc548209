"""Which letters an account sees: those to everyone, to its customers, and to the buildings of
the premises it sees; a manager sees personal letters only of customers all of whose premises
it manages."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from billing.selectors import Focus, fully_covered_customer_ids, premises_list, scope_for
from correspondence.models import Letter, LetterRead
from identity.models import User


def letters_for(*, actor: User, focus: Focus | None = None) -> QuerySet[Letter]:
    scope = scope_for(actor, focus=focus)
    if scope.is_empty:
        return Letter.objects.none()
    read = Exists(LetterRead.objects.filter(letter=OuterRef("pk"), user=actor))
    if scope.customer_ids is None:  # staff: every letter
        return Letter.objects.annotate(is_read=read).order_by("-sent_at", "-id")
    # The buildings of the actor's premises, as a subquery (no statement of its own).
    buildings = (
        premises_list(actor=actor, focus=focus)
        .filter(building_id__isnull=False)
        .order_by()
        .values("building_id")
    )
    customers = fully_covered_customer_ids(scope)
    personal = (
        Q(target=Letter.Target.CUSTOMER)
        if customers is None
        else Q(target=Letter.Target.CUSTOMER, customer_id__in=customers)
    )
    return (
        Letter.objects.filter(
            Q(target=Letter.Target.EVERYONE)
            | Q(target=Letter.Target.BUILDING, building_id__in=buildings)
            | personal
        )
        .annotate(is_read=Exists(LetterRead.objects.filter(letter=OuterRef("pk"), user=actor)))
        .order_by("-sent_at", "-id")
    )


def letter_get(*, actor: User, letter_id: int, focus: Focus | None = None) -> Letter | None:
    return letters_for(actor=actor, focus=focus).filter(pk=letter_id).first()


def unread_letters(*, actor: User, focus: Focus | None = None) -> int:
    read = LetterRead.objects.filter(user=actor).values("letter_id")
    return letters_for(actor=actor, focus=focus).exclude(pk__in=read).count()


def letters_office() -> QuerySet[Letter]:
    return Letter.objects.select_related("customer", "building", "sent_by").order_by(
        "-sent_at", "-id"
    )
