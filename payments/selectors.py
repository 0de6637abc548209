"""Reads of online payments: a customer's (or a manager's, of the customers it sees)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from billing.models import PaymentReceived
from billing.selectors import Focus, scope_for
from identity.models import User
from payments.models import Payment


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


def payment_get(*, actor: User, public_id, focus: Focus | None = None) -> Payment | None:
    return payment_list(actor=actor, focus=focus).filter(public_id=public_id).first()
