"""Reads of online payments: a customer's (or a manager's, of the customers it sees)."""

from __future__ import annotations

from django.db.models import QuerySet

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


def payment_get(*, actor: User, public_id, focus: Focus | None = None) -> Payment | None:
    return payment_list(actor=actor, focus=focus).filter(public_id=public_id).first()
