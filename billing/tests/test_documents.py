"""Invoice and balance PDFs and the ZBP 2D transfer QR payload."""

from decimal import Decimal

import pytest
from django.db import connection

from billing.models import Invoice
from billing.transfer import format_account, zbp_2d_payload
from tenants.services import tenant_setting_set

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def test_zbp_2d_payload_layout():
    payload = zbp_2d_payload(
        nip="526-025-02-74",
        account="12 1020 5561 0000 0000 0000 0001",
        amount=Decimal("1234.5"),
        recipient="Spółdzielnia „Jezioro” w Nowych Lipinach",
        title="FV/2026/01/00001 L0000001",
    )
    assert payload == (
        "5260250274|PL|12102055610000000000000001|123450|Spółdzielnia Jezioro|"
        "FV/2026/01/00001 L0000001|||"
    )
    assert (
        zbp_2d_payload(
            nip="", account="1" * 26, amount=Decimal("0.05"), recipient="X", title="T"
        ).split("|")[3]
        == "000005"
    )
    with pytest.raises(ValueError, match="26 digits"):
        zbp_2d_payload(nip="", account="123", amount=Decimal("1"), recipient="X", title="T")
    assert format_account("12102055610000000000000001") == "12 1020 5561 0000 0000 0000 0001"


@pytest.fixture
def payee(tenants, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a,
            key="payee",
            actor="t",
            value={
                "name": "SM Alfa",
                "nip": "5260250274",
                "account": "12102055610000000000000001",
                "address": "Leśna 1",
            },
        )
        tenant_setting_set(
            tenant=tenants.a, key="modules", actor="t", value=["charges", "invoices"]
        )
    connection.set_tenant(tenants.a)


def test_own_invoice_pdf_and_nobody_elses(client, ledger, payee):
    client.force_login(ledger["owner"])
    own = Invoice.objects.get(number="FV/1/2026")
    other = Invoice.objects.get(number="FV/2/2026")
    response = client.get(f"/invoices/{own.pk}/pdf", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    assert client.get(f"/invoices/{other.pk}/pdf", HTTP_HOST=HOST).status_code == 404
    api = client.get(f"/api/v1/invoices/{own.pk}/pdf", HTTP_HOST=HOST)
    assert (api.status_code, api.content[:5]) == (200, b"%PDF-")
    assert client.get(f"/api/v1/invoices/{other.pk}/pdf", HTTP_HOST=HOST).status_code == 404


def test_invoice_pdf_of_tenant_a_is_not_found_on_tenant_b(client, ledger, payee, tenants):
    own = Invoice.objects.get(number="FV/1/2026")
    client.force_login(ledger["owner"])
    assert (
        client.get(f"/api/v1/invoices/{own.pk}/pdf", HTTP_HOST="beta.localhost").status_code == 401
    )


def test_balance_pdf(client, ledger, payee):
    client.force_login(ledger["owner"])
    response = client.get("/balance.pdf", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "no-store"
