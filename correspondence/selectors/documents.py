"""Who may read which of the organisation's documents: everyone the public ones; customers
those for all customers; members those for members; the customers of a building (and the
managers granted premises in it) that building's. Never a list of other people's debts."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from billing.models import Customer
from billing.selectors import Focus, premises_list, scope_for
from correspondence.models import Document, DocumentVersion
from identity.models import User


def _published() -> QuerySet[Document]:
    return Document.objects.filter(withdrawn_at__isnull=True).prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
    )


def documents_public() -> QuerySet[Document]:
    return _published().filter(audience=Document.Audience.PUBLIC)


def documents_for(*, actor: User, focus: Focus | None = None) -> QuerySet[Document]:
    scope = scope_for(actor, focus=focus)
    if scope.customer_ids is None:  # staff
        return _published()
    audiences = Q(audience=Document.Audience.PUBLIC)
    buildings = set(
        premises_list(actor=actor, focus=focus).values_list("building_id", flat=True)
    ) - {None}
    audiences |= Q(audience=Document.Audience.BUILDING, building_id__in=buildings)
    if scope.premises_ids is None and scope.customer_ids:  # a customer, not a manager
        audiences |= Q(audience=Document.Audience.CUSTOMERS)
        customers = Customer.objects.filter(pk__in=scope.customer_ids)
        if (
            customers.exclude(membership_number="").exists()
            or customers.filter(member_since__isnull=False).exists()
        ):
            audiences |= Q(audience=Document.Audience.MEMBERS)
    return _published().filter(audiences)


def version_for(*, actor: User | None, version_id: int, focus: Focus | None = None):
    """A document's version the actor may download (anyone: a public document's)."""
    public = documents_public().values("pk")
    rows = DocumentVersion.objects.select_related("document").filter(pk=version_id)
    visible = rows.filter(document__in=public)
    if actor is not None and actor.is_authenticated:
        visible = rows.filter(
            Q(document__in=public)
            | Q(document__in=documents_for(actor=actor, focus=focus).values("pk"))
        )
    return visible.first()


def documents_office() -> QuerySet[Document]:
    return Document.objects.select_related("building").prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
    )
