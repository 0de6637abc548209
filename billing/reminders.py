"""What billing tells customers by the channels they chose: a new invoice, a payment due in the
tenant's number of days, and an invoice that has become overdue. A daily job per tenant; each
invoice is told once per event (the notice's key is the invoice), so a job run twice, or on
the next day over the same invoices, sends nothing more."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone

from billing.models import Invoice
from billing.selectors import paid_online
from core.http import tenant_base_url
from core.portal import module_url
from core.templatetags.ebok_format import money
from identity.selectors import current_config
from notifications.services import notify
from tenants.policies import Module

# How far back a job looks, so a day it did not run is made up for (not further: an old
# invoice imported late is no news).
NEW_INVOICE_DAYS = 3
OVERDUE_DAYS = 7


def _link() -> str:
    """The page where the customer sees what is due, of those the tenant offers."""
    config = current_config()
    for module in (Module.INVOICES, Module.CHARGES, Module.SETTLEMENTS):
        if config.has_module(module) and (url := module_url(module)):
            return tenant_base_url() + url
    return tenant_base_url() + reverse("home")


def _tell(invoices: Iterable[Invoice], event: str, *, skip_paid_online: bool = False) -> int:
    link = _link()
    written = 0
    rows = list(invoices)
    # Paid online, not booked by the ERP yet: no reminder that it is due.
    paid = paid_online([i.pk for i in rows]) if skip_paid_online else set()
    for invoice in rows:
        if invoice.pk in paid:
            continue
        user = invoice.customer.user
        if user is None:
            continue
        written += notify(
            user=user,
            event=event,
            key=str(invoice.pk),
            link=link,
            context={
                "number": invoice.number,
                "amount": money(invoice.gross),
                "outstanding": money(invoice.gross - invoice.paid),
                "due": formats.date_format(invoice.due_date, "d.m.Y"),
            },
        )
    return written


def _unpaid():
    return Invoice.objects.filter(gross__gt=0, paid__lt=F("gross"), customer__user__isnull=False)


def invoice_notices_send(*, today: date | None = None) -> dict[str, int]:
    """The day's notices: new invoices, payments due soon, invoices just overdue."""
    today = today or timezone.localdate()
    ahead = current_config().notifications.due_reminder_days
    rows = Invoice.objects.select_related("customer__user").order_by("pk")
    return {
        "invoice_new": _tell(
            rows.filter(
                issue_date__gte=today - timedelta(days=NEW_INVOICE_DAYS),
                issue_date__lte=today,
                customer__user__isnull=False,
            ),
            "invoice_new",
        ),
        "payment_due": _tell(
            _unpaid()
            .select_related("customer__user")
            .filter(due_date__gt=today, due_date__lte=today + timedelta(days=ahead))
            .order_by("pk"),
            "payment_due",
            skip_paid_online=True,
        ),
        "balance_overdue": _tell(
            _unpaid()
            .select_related("customer__user")
            .filter(due_date__lt=today, due_date__gte=today - timedelta(days=OVERDUE_DAYS))
            .order_by("pk"),
            "balance_overdue",
            skip_paid_online=True,
        ),
    }
