"""Billing's notices through the customers' channels: a new invoice, a payment due within the
tenant's days, an invoice just overdue; each told once however often the daily job runs, and a
job in tenant A reads nothing of tenant B (which holds an invoice with the same id)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from billing.importing import import_text
from billing.models import Invoice
from billing.reminders import invoice_notices_send
from core.outbox.models import Message
from notifications.tests.conftest import residents, sms_simulator  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


def _invoices(rows: list[tuple[str, str, date, date, str, str]]) -> None:
    text = "erp_id;number;customer_erp_id;issue_date;due_date;gross\n" + "".join(
        f"{erp};{number};K1;{issued};{due};{gross}\n"
        for erp, number, issued, due, gross, _p in rows
    )
    assert import_text("invoices", text).errors == []
    for _erp, number, _issued, _due, _gross, paid in rows:  # what the ERP allocated to each
        Invoice.objects.filter(number=number).update(paid=paid)


def _told(event: str) -> list[str]:
    return sorted(m.subject for m in Message.objects.filter(event=event, channel="email"))


def test_each_invoice_is_told_once_per_event(residents, set_config):  # noqa: F811
    set_config(notifications__due_reminder_days=3)
    _invoices(
        [
            ("N1", "FV/NEW", TODAY, TODAY + timedelta(days=14), "10.00", "0.00"),
            (
                "D1",
                "FV/DUE3",
                TODAY - timedelta(days=20),
                TODAY + timedelta(days=3),
                "20.00",
                "0.00",
            ),
            (
                "D2",
                "FV/DUE4",
                TODAY - timedelta(days=20),
                TODAY + timedelta(days=4),
                "20.00",
                "0.00",
            ),
            (
                "D3",
                "FV/PAID",
                TODAY - timedelta(days=20),
                TODAY + timedelta(days=2),
                "20.00",
                "20.00",
            ),
            (
                "O1",
                "FV/LATE",
                TODAY - timedelta(days=30),
                TODAY - timedelta(days=1),
                "30.00",
                "5.00",
            ),
            (
                "O2",
                "FV/OLD",
                TODAY - timedelta(days=60),
                TODAY - timedelta(days=8),
                "30.00",
                "0.00",
            ),
        ]
    )
    first = invoice_notices_send(today=TODAY)
    # FV/DUE3 is inside the window (due in 3 days), FV/DUE4 not yet, FV/PAID is paid; FV/OLD
    # became overdue too long ago to be news.
    assert _told("invoice_new") == ["Nowa faktura: FV/NEW – Spółdzielnia Alfa"]
    assert _told("payment_due") == [
        f"Termin płatności {TODAY + timedelta(days=3):%d.%m.%Y} – Spółdzielnia Alfa"
    ]
    assert _told("balance_overdue") == ["Faktura FV/LATE jest po terminie – Spółdzielnia Alfa"]
    assert first == {"invoice_new": 1, "payment_due": 1, "balance_overdue": 1}  # e-mail only
    assert invoice_notices_send(today=TODAY) == {
        "invoice_new": 0,
        "payment_due": 0,
        "balance_overdue": 0,
    }
    # The next day FV/DUE4 comes into the window; the others are not told again.
    assert invoice_notices_send(today=TODAY + timedelta(days=1))["payment_due"] == 1
    assert len(_told("payment_due")) == 2


def test_a_job_in_tenant_a_reads_nothing_of_tenant_b(residents, tenants):  # noqa: F811
    _invoices([("N1", "FV/A", TODAY, TODAY + timedelta(days=14), "10.00", "0.00")])
    a_invoice = Invoice.objects.get(number="FV/A")
    connection.set_tenant(tenants.b)
    assert (
        import_text(
            "customers",
            "erp_id;symbol;kind;name;email\nK1;B0000001;individual;Bea;bea@example.com\n",
        ).errors
        == []
    )
    assert (
        import_text(
            "invoices",
            f"erp_id;number;customer_erp_id;issue_date;due_date;gross\nN1;FV/B;K1;{TODAY};"
            f"{TODAY + timedelta(days=14)};10.00\n",
        ).errors
        == []
    )
    b_before = Message.objects.count()
    connection.set_tenant(tenants.a)
    invoice_notices_send(today=TODAY)
    assert [m.subject for m in Message.objects.filter(event="invoice_new", channel="email")] == [
        "Nowa faktura: FV/A – Spółdzielnia Alfa"
    ]
    assert (
        Message.objects.filter(idempotency_key__startswith=f"invoice_new:{a_invoice.pk}:").count()
        == 1
    )
    connection.set_tenant(tenants.b)
    assert Message.objects.count() == b_before
