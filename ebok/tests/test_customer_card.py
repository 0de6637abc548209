"""The customer card gathers the panels every app registers: meters (metering), cases
(correspondence), online payments (payments, money: not for a technician) and notices sent
(notifications); a panel of a module the tenant does not offer is not shown."""

from datetime import date

import pytest
from django.test import Client

from billing.importing import import_text
from billing.models import Customer
from billing.tests.conftest import ledger, set_modules  # noqa: F401 - the fixtures
from core.outbox.models import Message
from correspondence.models import Case
from identity.services import consent_set, document_publish, user_create
from identity.tests.conftest import login_verified_staff
from payments.models import Payment

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"


def _clerk(role: str) -> Client:
    user = user_create(login=f"{role}-1", password=PASSWORD, role=role)
    client = Client()
    login_verified_staff(client, HOST, user, PASSWORD)
    return client


@pytest.fixture
def jan(ledger, tenants, set_modules):  # noqa: F811
    current = [str(m) for m in tenants.a.configuration.modules]
    set_modules(
        *dict.fromkeys([*current, "correspondence", "meters", "readings", "online_payments"])
    )
    assert not import_text(
        "meters", "erp_id;serial_number;kind;premises_erp_id\nW1;WOD-4411;cold_water;M1\n"
    ).errors
    assert not import_text(
        "readings", "erp_id;meter_erp_id;read_at;value\nR1;W1;2026-01-31;123.5\n"
    ).errors
    customer = Customer.objects.get(erp_id="K1")
    Case.objects.create(
        reference="PYT/2026/000001",
        kind="question",
        customer=customer,
        subject="Cieknący kran",
        due_on=date(2026, 2, 1),
        text_digest="-",
    )
    Payment.objects.create(gateway="przelewy24", customer=customer, amount_grosze=12345, title="x")
    Message.objects.create(
        recipient="l1@example.com",
        template="invoice_new",
        subject="Nowa faktura FV/1/2026",
        body_text="-",
        event="invoice_new",
        user_id=ledger["owner"].pk,
    )
    return customer


def test_every_apps_panel_is_on_the_card(jan):
    html = _clerk("customer_service").get(f"/office/customers/{jan.pk}/", HTTP_HOST=HOST)
    html = html.content.decode()
    for text in ("WOD-4411", "123,500", "Cieknący kran", "123,45", "Nowa faktura FV/1/2026"):
        assert text in html, text


def test_staff_see_the_customers_consents_with_versions_and_channels(jan, ledger):  # noqa: F811
    document_publish(kind="marketing_consent", title="Zgoda", body="Oferty")
    document_publish(kind="marketing_consent", title="Zgoda", body="Oferty, wersja 2")
    consent_set(user=ledger["owner"], purpose="marketing", granted=True)
    html = _clerk("customer_service").get(f"/office/customers/{jan.pk}/", HTTP_HOST=HOST)
    panel = html.content.decode().split('id="panel-consents"')[1].split("</section>")[0]
    assert "Informacje i oferty e-mailem i SMS-em, wersja 2: Udzielona (Portal" in panel
    # the neighbour's card has no account, so no panel of consents
    other = Customer.objects.get(erp_id="K2")
    other.user = None
    other.save(update_fields=["user"])
    html = _clerk("tenant_admin").get(f"/office/customers/{other.pk}/", HTTP_HOST=HOST)
    assert 'id="panel-consents"' not in html.content.decode()


def test_a_technician_sees_meters_but_no_money(jan):
    html = _clerk("technician").get(f"/office/customers/{jan.pk}/", HTTP_HOST=HOST)
    html = html.content.decode()
    assert "WOD-4411" in html
    assert 'id="panel-online_payments"' not in html
    assert 'id="panel-money"' not in html


def test_a_module_the_tenant_does_not_offer_has_no_panel(jan, set_modules):  # noqa: F811
    set_modules("invoices")
    html = _clerk("customer_service").get(f"/office/customers/{jan.pk}/", HTTP_HOST=HOST)
    html = html.content.decode()
    assert 'id="panel-meters"' not in html
    assert 'id="panel-cases"' not in html
    assert 'id="panel-online_payments"' not in html
    assert 'id="panel-money"' in html
