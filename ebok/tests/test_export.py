"""What the ERP pulls back: each feed (customers since a time; contact data, e-invoice
consents, acceptances, readings) in order from an opaque cursor, page by page,
resumed later without missing or repeating a row; refusals with one exact status each; only with
the tenant's key, and never another tenant's rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from billing import exporting
from billing.importing import import_text
from billing.models import Customer, EInvoiceConsentEvent
from billing.tests.conftest import ledger  # noqa: F401 - the fixture
from identity.selectors import current_config
from identity.services import api_key_create, document_publish, documents_accept, profile_update
from metering.models import Meter, Reading

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


@pytest.fixture
def key(ledger, monkeypatch):  # noqa: F811
    monkeypatch.setattr(exporting, "SETTLE_SECONDS", 0)
    return api_key_create(name="ERP")


def _get(key, feed, host=HOST, **params):
    return Client().get(
        f"/api/v1/export/{feed}", params, HTTP_HOST=host, HTTP_AUTHORIZATION=f"Api-Key {key}"
    )


def _all(key, feed, **params) -> tuple[list, str]:
    rows, response = [], _get(key, feed, **params)
    while True:
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows, body["cursor"]
        response = Client().get(body["next"], HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_customers_page_by_page_then_only_what_changed(key):
    rows, cursor = _all(key, "customers", limit=1)
    assert [r["erp_id"] for r in rows] == ["K1", "K2"]
    assert rows[0]["account"] == {"active": True, "email": "", "phone": ""}
    assert _get(key, "customers", cursor=cursor).json()["results"] == []
    Customer.objects.filter(erp_id="K2").update(updated_at=timezone.now() - timedelta(seconds=1))
    import_text("customers", "erp_id;symbol;kind;name\nK2;L0000002;individual;Ewa Nowa\n")
    later = _get(key, "customers", cursor=cursor).json()
    assert [r["name"] for r in later["results"]] == ["Ewa Nowa"]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert _get(key, "customers", since=future).json()["results"] == []


def test_contact_data_changed_in_the_portal_or_by_the_office(key, ledger):  # noqa: F811
    owner = ledger["owner"]
    owner.set_password("RyBa18$05")
    owner.save()
    profile_update(user=owner, current_password="RyBa18$05", phone="600 100 200")
    clerk = owner.__class__.objects.create(username="obsluga", role="customer_service")
    profile_update(user=owner, actor=clerk, phone="601 000 000")
    rows, _cursor = _all(key, "contact")
    assert [(r["customers"], r["changes"], r["by_office"]) for r in rows] == [
        (["K1"], {"phone": "600 100 200"}, False),
        (["K1"], {"phone": "601 000 000"}, True),
    ]


def test_consents_acceptances_and_readings(key, ledger):  # noqa: F811
    jan = Customer.objects.get(erp_id="K1")
    EInvoiceConsentEvent.objects.create(customer=jan, action="activated", email="j@example.com")
    kinds = current_config().registration.required_documents
    published = [document_publish(kind=str(k), title="Dokument", body="Treść") for k in kinds]
    documents_accept(user=ledger["owner"], ids=[d.pk for d in published])
    assert not import_text(
        "meters", "erp_id;serial_number;kind;premises_erp_id\nW1;WOD-1;cold_water;M1\n"
    ).errors
    register = Meter.objects.get(erp_id="W1").registers.get()
    Reading.objects.create(
        erp_id="portal:1", register=register, value=5, read_at=timezone.now(), source="customer"
    )
    Reading.objects.create(
        erp_id="portal:2",
        register=register,
        value=9,
        read_at=timezone.now(),
        source="customer",
        status="flagged",
    )
    assert _all(key, "e-invoice")[0][0]["customer"] == "K1"
    accepted = _all(key, "acceptances")[0]
    assert accepted[0]["customers"] == ["K1"]
    assert {a["document"] for a in accepted} == {str(k) for k in kinds}
    readings, cursor = _all(key, "readings")
    assert [(r["erp_id"], r["meter"], r["value"]) for r in readings] == [
        ("portal:1", "W1", "5.000")
    ]
    Reading.objects.filter(erp_id="portal:2").update(status="accepted", reviewed_at=timezone.now())
    assert [r["erp_id"] for r in _get(key, "readings", cursor=cursor).json()["results"]] == [
        "portal:2"
    ]


def test_refusals_have_one_status_each(key, ledger):  # noqa: F811
    assert Client().get("/api/v1/export/customers", HTTP_HOST=HOST).status_code == 401
    assert _get("ebk_wrong", "customers").status_code == 401
    assert _get(key, "nonsense").status_code == 404
    bad = _get(key, "customers", cursor="not-a-cursor")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert "cursor" in bad.json()["fields"]
    forged = exporting.cursor_encode(["x", "y", "z"])
    assert _get(key, "contact", cursor=forged).status_code == 400
    assert _get(key, "contact", since="2026-01-01T00:00:00Z").status_code == 400
    assert _get(key, "customers", since="yesterday").status_code == 400
    assert _get(key, "customers", limit="many").status_code == 400
    bearer = (
        Client()
        .post(
            "/api/v1/auth/login",
            {"login": "L0000001", "password": "RyBa18$05"},
            content_type="application/json",
            HTTP_HOST=HOST,
        )
        .json()["token"]
    )
    assert (
        Client()
        .get("/api/v1/export/customers", HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {bearer}")
        .status_code
        == 401
    )


def test_another_tenants_key_and_rows_never_cross(key, tenants):
    connection.set_tenant(tenants.b)
    assert not import_text(
        "customers", "erp_id;symbol;kind;name\nK1;L0000001;individual;Beta Jeden\n"
    ).errors
    beta_key = api_key_create(name="ERP B")
    connection.set_tenant(tenants.a)
    assert _get(beta_key, "customers").status_code == 401
    names = [r["name"] for r in _all(key, "customers")[0]]
    assert "Beta Jeden" not in names
