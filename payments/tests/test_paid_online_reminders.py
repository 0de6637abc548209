"""An invoice an online payment covers, not yet booked by the ERP, is neither reminded of as due
or overdue nor shown as "to pay" on the invoices page; one the ERP booked is plainly paid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from billing.importing import import_text
from billing.models import Customer, Invoice
from billing.reminders import invoice_notices_send
from core.outbox.models import Message
from notifications.tests.conftest import residents, sms_simulator  # noqa: F401 - fixtures
from payments.models import Payment, PaymentAllocation

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 10)


def _pay_online(invoice: Invoice, grosze: int, status: str = "completed") -> None:
    payment = Payment.objects.create(
        gateway="przelewy24",
        customer=Customer.objects.get(erp_id="K1"),
        amount_grosze=grosze,
        title=invoice.number,
        status=status,
        provider_transaction_id=f"T{invoice.pk}-{grosze}",
    )
    PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount_grosze=grosze)


def test_no_reminder_for_an_invoice_paid_online(residents, client):  # noqa: F811
    jan, _ewa = residents
    rows = [
        ("D1", "FV/ONLINE", TODAY + timedelta(days=2)),
        ("D2", "FV/PART", TODAY + timedelta(days=2)),
        ("O1", "FV/LATE-ONLINE", TODAY - timedelta(days=1)),
    ]
    text = "erp_id;number;customer_erp_id;issue_date;due_date;gross\n" + "".join(
        f"{erp};{number};K1;{TODAY - timedelta(days=20)};{due};100.00\n"
        for erp, number, due in rows
    )
    assert import_text("invoices", text).errors == []
    _pay_online(Invoice.objects.get(number="FV/ONLINE"), 10_000)
    _pay_online(Invoice.objects.get(number="FV/PART"), 4_000)  # part of it: still due
    _pay_online(Invoice.objects.get(number="FV/LATE-ONLINE"), 10_000)
    _pay_online(Invoice.objects.get(number="FV/PART"), 6_000, status="failed")
    told = invoice_notices_send(today=TODAY)
    assert (told["payment_due"], told["balance_overdue"]) == (1, 0)
    subjects = list(Message.objects.filter(event="payment_due").values_list("body_text", flat=True))
    assert "FV/PART" in subjects[0]
    client.force_login(jan)
    page = client.get("/invoices/", HTTP_HOST="alpha.localhost").content.decode()
    assert page.count("opłacona online, czeka na zaksięgowanie") == 2
