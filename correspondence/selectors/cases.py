"""Reads of cases, announcements, documents and letters. What a customer or manager sees starts
from billing's actor scope (``scope_for``); the office's reads are for staff only."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from billing.models import Customer, Premises
from billing.selectors import Focus, fully_covered_customer_ids, scope_for
from correspondence.models import Case, CaseAttachment, CaseMessage
from correspondence.models.cases import OPEN_STATUSES, new_first
from identity.models import User


def case_list(*, actor: User, focus: Focus | None = None) -> QuerySet[Case]:
    """The cases the actor may see: a customer's own; a manager's of the premises it holds
    grants for (and, for a customer all of whose premises it covers, that customer's cases
    about no premises in particular)."""
    scope = scope_for(actor, focus=focus)
    rows = Case.objects.all()
    if scope.customer_ids is not None:
        rows = rows.filter(customer_id__in=scope.customer_ids)
    if scope.premises_ids is not None:
        whole = fully_covered_customer_ids(scope) or frozenset()
        rows = rows.filter(
            Q(premises_id__in=scope.premises_ids) | Q(premises__isnull=True, customer_id__in=whole)
        )
    return rows


def case_get(*, actor: User, case_id: int, focus: Focus | None = None) -> Case | None:
    return (
        case_list(actor=actor, focus=focus)
        .select_related("premises", "invoice", "customer")
        .filter(pk=case_id)
        .first()
    )


def case_history(*, case: Case, for_staff: bool) -> list[CaseMessage]:
    """The case's messages, oldest first, with their attachments; internal notes for staff
    only."""
    rows = case.messages.select_related("author").prefetch_related("attachments")
    if not for_staff:
        rows = rows.exclude(kind=CaseMessage.Kind.NOTE)
    return list(rows)


def last_answer(case: Case) -> CaseMessage | None:
    return (
        case.messages.filter(kind=CaseMessage.Kind.MESSAGE, from_staff=True)
        .order_by("-created_at", "-id")
        .first()
    )


def attachment_for(
    *, actor: User, attachment_id: int, focus: Focus | None = None, for_staff: bool = False
):
    """An attachment the actor may download: of a case it sees, and never of an internal note
    unless it is staff."""
    rows = CaseAttachment.objects.select_related("message")
    if for_staff:
        return rows.filter(pk=attachment_id).first()
    return (
        rows.filter(
            pk=attachment_id, message__case__in=case_list(actor=actor, focus=focus).values("pk")
        )
        .exclude(message__kind=CaseMessage.Kind.NOTE)
        .first()
    )


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")[-9:]


def case_status_lookup(*, reference: str, contact: str) -> Case | None:
    """The case with ``reference`` when ``contact`` is the e-mail or the phone given in it;
    else None, whether the reference exists or not (one query and the same comparisons
    either way)."""
    case = Case.objects.filter(reference=reference.strip().upper()).first()
    email = (case.contact_email if case else "").casefold()
    phone = _digits(case.contact_phone if case else "")
    given = contact.strip()
    by_email = hmac.compare_digest(given.casefold().encode(), email.encode()) and bool(email)
    by_phone = hmac.compare_digest(_digits(given).encode(), phone.encode()) and bool(phone)
    return case if case is not None and (by_email or by_phone) else None


# The office's inbox.


@dataclass(frozen=True)
class InboxFilter:
    kind: str = ""
    status: str = ""  # "" = every open case; "overdue" = open and past the deadline
    query: str = ""
    assigned_to: int | None = None


REFERENCE = re.compile(r"^[A-Za-z]{2,6}/\d{4}/\d{1,6}$")


def inbox(filters: InboxFilter) -> QuerySet[Case]:
    """Cases for the office: new ones first, then by deadline (the overdue at the top). A
    search looks at every status unless one is chosen: a reference (exact), a customer's
    symbol (exact), a customer's name or a street (in part)."""
    today = timezone.localdate()
    rows = Case.objects.select_related("customer", "premises", "assigned_to")
    query = " ".join(filters.query.split())
    if filters.status == "overdue":
        rows = rows.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    elif not query:
        rows = rows.filter(status__in=OPEN_STATUSES)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.assigned_to:
        rows = rows.filter(assigned_to_id=filters.assigned_to)
    if REFERENCE.match(query):
        prefix, year, number = query.upper().split("/")
        rows = rows.filter(reference=f"{prefix}/{year}/{int(number):06d}")
    elif query:
        customers = Customer.objects.filter(Q(symbol=query) | Q(name__icontains=query))
        premises = Premises.objects.filter(street__icontains=query)
        rows = rows.filter(
            Q(customer_id__in=customers.values("pk")) | Q(premises_id__in=premises.values("pk"))
        )
    return rows.alias(is_new=new_first()).order_by("is_new", "due_on", "id")


def inbox_counts() -> dict[str, dict[str, int]]:
    """Open cases per kind and status, and the overdue per kind, in one query."""
    today = timezone.localdate()
    rows = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .values("kind", "status")
        .annotate(n=Count("kind"), overdue=Count("due_on", filter=Q(due_on__lt=today)))
        .order_by()
    )
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = out.setdefault(row["kind"], {"overdue": 0})
        counts[row["status"]] = row["n"]
        counts["overdue"] += row["overdue"]
    return out


def case_for_staff(*, case_id: int) -> Case | None:
    return (
        Case.objects.select_related("customer", "premises", "invoice", "assigned_to")
        .filter(pk=case_id)
        .first()
    )


def case_list_rated() -> QuerySet[Case]:
    return Case.objects.filter(rating__isnull=False)


def case_ratings() -> dict:
    """How customers rated the answers: per kind, their number and average (1 to 5)."""
    rows = (
        Case.objects.filter(rating__isnull=False)
        .values("kind")
        .annotate(count=Count("id"), average=Avg("rating"))
        .order_by("kind")
    )
    return {row["kind"]: row for row in rows}
