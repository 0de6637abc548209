"""Reads of online payments: a customer's (or a manager's, of the customers it sees)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from billing.models import Invoice, PaymentReceived
from billing.selectors import Focus, scope_for, unpaid_invoices
from identity.models import User
from payments.models import Payment, PaymentAllocation


def payment_list(*, actor: User, focus: Focus | None = None) -> QuerySet[Payment]:
    scope = scope_for(actor, focus=focus)
    rows = Payment.objects.all()
    if scope.customer_ids is not None:
        rows = rows.filter(customer_id__in=scope.customer_ids)
    if scope.premises_ids is not None:  # a manager: the payments it started itself
        rows = rows.filter(started_by=actor)
    return rows


def paid_online_not_booked(customer_ids: frozenset[int] | None) -> Decimal:
    """Online payments the gateway confirmed and the ERP's payments do not have yet (matched by
    the gateway's transaction id), of these customers (None: every customer)."""
    booked_by_erp = PaymentReceived.objects.exclude(online_transaction_id="").values(
        "online_transaction_id"
    )
    rows = Payment.objects.filter(status=Payment.Status.COMPLETED).exclude(
        provider_transaction_id__in=booked_by_erp
    )
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=customer_ids)
    grosze = rows.aggregate(total=Sum("amount_grosze"))["total"] or 0
    return (Decimal(grosze) / 100).quantize(Decimal("0.01"))


def payable_invoices(*, actor: User, focus: Focus | None = None) -> QuerySet:
    """The unpaid invoices the actor sees, less those an online payment the gateway confirmed
    already covers while the ERP has not booked it yet (never offered twice)."""
    booked_by_erp = PaymentReceived.objects.exclude(online_transaction_id="").values(
        "online_transaction_id"
    )
    online = (
        PaymentAllocation.objects.filter(
            invoice_id=OuterRef("pk"), payment__status=Payment.Status.COMPLETED
        )
        .exclude(payment__provider_transaction_id__in=booked_by_erp)
        .values("invoice_id")
        .annotate(grosze=Sum("amount_grosze"))
        .values("grosze")
    )
    return (
        unpaid_invoices(actor=actor, focus=focus)
        .annotate(online_grosze=Coalesce(Subquery(online), 0))
        .filter(online_grosze__lt=(F("gross") - F("paid")) * 100)
    )


def invoices_paid_online(invoice_ids: list[int]) -> set[int]:
    """Of ``invoice_ids``, those completed online payments cover in full while the ERP has
    not booked them yet (registered with billing: no reminder, no "to pay")."""
    booked_by_erp = PaymentReceived.objects.exclude(online_transaction_id="").values(
        "online_transaction_id"
    )
    covered = dict(
        PaymentAllocation.objects.filter(
            invoice_id__in=invoice_ids, payment__status=Payment.Status.COMPLETED
        )
        .exclude(payment__provider_transaction_id__in=booked_by_erp)
        .values("invoice_id")
        .annotate(grosze=Sum("amount_grosze"))
        .values_list("invoice_id", "grosze")
    )
    if not covered:
        return set()
    return {
        pk
        for pk, gross, paid in Invoice.objects.filter(pk__in=covered).values_list(
            "pk", "gross", "paid"
        )
        if covered[pk] >= (gross - paid) * 100
    }


def payment_get(*, actor: User, public_id, focus: Focus | None = None) -> Payment | None:
    return payment_list(actor=actor, focus=focus).filter(public_id=public_id).first()
