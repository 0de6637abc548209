"""The meters API: scoped lists, the submission's codes and statement count, photos, and
isolation between tenants that hold the same ERP ids."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from identity.services import user_create
from metering import services
from metering.models import Meter, Reading
from metering.tests.conftest import BASE, PASSWORD, load

pytestmark = pytest.mark.django_db
A, B = "alpha.localhost", "beta.localhost"


def _as(client, user):
    client.force_login(user)
    return client


def test_a_customer_lists_its_own_meters_with_their_registers(client, meters):
    body = _as(client, meters["owner"]).get("/api/v1/meters", HTTP_HOST=A).json()
    rows = {r["serial_number"]: r for r in body["results"]}
    assert sorted(rows) == ["EL-003", "ZW-001"]
    assert [r["code"] for r in rows["EL-003"]["registers"]] == ["day", "night"]
    assert rows["ZW-001"]["unit"] == "m3"
    assert rows["ZW-001"]["legalisation_valid_until"] == "2029-12-31"


def test_readings_come_newest_first_and_consumption_by_month(client, meters):
    _as(client, meters["owner"])
    readings = client.get(f"/api/v1/meters/{meters['w1'].pk}/readings", HTTP_HOST=A).json()
    values = [r["value"] for r in readings["results"]]
    assert values[0] == "133.000"
    assert values[-1] == "100.000"
    assert len(values) == 12
    use = client.get(f"/api/v1/meters/{meters['w1'].pk}/consumption?months=12", HTTP_HOST=A).json()
    assert use["unit"] == "m3"
    assert len(use["months"]) == 12
    total = sum(float(m["used"]) for m in use["months"] if m["used"])
    assert round(total, 3) <= 33.0
    assert total > 20


@pytest.mark.parametrize("months", ["0", "121", "x", "-1"])
def test_consumption_months_out_of_range_are_refused(client, meters, months):
    _as(client, meters["owner"])
    response = client.get(
        f"/api/v1/meters/{meters['w1'].pk}/consumption?months={months}", HTTP_HOST=A
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_period"


def test_submission_answers_201_then_409_and_the_codes_of_api_md(client, meters):
    _as(client, meters["owner"])
    url = f"/api/v1/meters/{meters['w1'].pk}/readings"
    low = client.post(url, {"value": "120"}, content_type="application/json", HTTP_HOST=A)
    assert (low.status_code, low.json()["code"]) == (400, "lower_than_previous")
    high = client.post(url, {"value": 900}, content_type="application/json", HTTP_HOST=A)
    assert (high.status_code, high.json()["code"]) == (400, "implausible")
    assert set(high.json()["expected"]) == {"min", "max"}
    ok = client.post(url, {"value": "134.25"}, content_type="application/json", HTTP_HOST=A)
    assert ok.status_code == 201
    assert ok.json()["value"] == "134.250"
    again = client.post(url, {"value": "135"}, content_type="application/json", HTTP_HOST=A)
    assert (again.status_code, again.json()["code"]) == (409, "already_submitted")


def test_a_submission_takes_at_most_ten_statements(client, meters):
    _as(client, meters["owner"])
    client.get("/api/v1/meters", HTTP_HOST=A)  # the session and tenant are warm
    url = f"/api/v1/meters/{meters['w1'].pk}/readings"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"value": "134"}, content_type="application/json", HTTP_HOST=A)
    assert response.status_code == 201
    app = [
        q["sql"]
        for q in queries.captured_queries
        if "metering_" in q["sql"] or "billing_" in q["sql"]
    ]
    assert len(app) <= 10, app


def _photo_reading(meters) -> Reading:
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "PNG")
    photo = SimpleUploadedFile("l.png", out.getvalue(), content_type="image/png")
    return services.reading_submit(
        actor=meters["owner"], meter_id=meters["w1"].pk, value="134", photo=photo
    )


def test_a_photo_is_served_to_its_owner_as_an_image_and_to_nobody_else(
    client, meters, manager, tenants
):
    reading = _photo_reading(meters)
    url = f"/meters/readings/{reading.pk}/photo"
    _as(client, meters["owner"])
    mine = client.get(url, HTTP_HOST=A)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert mine["X-Content-Type-Options"] == "nosniff"
    _as(client, meters["neighbour"])
    assert client.get(url, HTTP_HOST=A).status_code == 404
    # The manager covers M1 (the meter's premises): it may see it; one covering only M2 may not.
    _as(client, manager)
    assert client.get(url, HTTP_HOST=A).status_code == 200
    other = user_create(login="zarzadca2", password=PASSWORD, role="manager")
    from billing.models import Premises
    from billing.services import grant_create, manager_company_create

    company = manager_company_create(name="Inny", nip="7251801126", users=[other])
    grant_create(
        company=company,
        premises_ids=[Premises.objects.get(erp_id="M2").pk],
        valid_from=reading.read_at.date(),
        actor="t",
    )
    _as(client, other)
    assert client.get(url, HTTP_HOST=A).status_code == 404


@pytest.fixture
def beta_twin(tenants, meters):
    """Tenant B holds the same ERP ids (and so, here, the same primary keys) with other values,
    and an account with the same login as A's owner."""
    connection.set_tenant(tenants.b)
    load(
        {
            **BASE,
            "meters": BASE["meters"].replace("ZW-001", "BETA-001").replace("EL-003", "BETA-003"),
        }
    )
    from billing.models import Customer
    from billing.services import customer_account_attach

    twin = user_create(login="L0000001", password=PASSWORD)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=twin)
    pk = Meter.objects.get(erp_id="W1").pk
    connection.set_tenant(tenants.a)
    return {"user": twin, "w1": pk}


def test_tenant_b_sees_its_meters_and_never_tenant_as(client, meters, beta_twin, tenants):
    connection.set_tenant(tenants.b)
    _as(client, beta_twin["user"])
    body = client.get("/api/v1/meters", HTTP_HOST=B).json()
    assert sorted(r["serial_number"] for r in body["results"]) == ["BETA-001", "BETA-003"]
    readings = client.get(f"/api/v1/meters/{beta_twin['w1']}/readings", HTTP_HOST=B).json()
    assert readings["results"] == []  # A's history of W1 is not B's
    # A's reading id on B's host: not found.
    connection.set_tenant(tenants.a)
    a_reading = _photo_reading(meters)
    connection.set_tenant(tenants.b)
    assert client.get(f"/meters/readings/{a_reading.pk}/photo", HTTP_HOST=B).status_code == 404


def test_a_session_of_tenant_a_is_not_valid_on_tenant_bs_host(client, meters, beta_twin):
    _as(client, meters["owner"])
    response = client.get(f"/api/v1/meters/{beta_twin['w1']}/readings", HTTP_HOST=B)
    assert response.status_code == 401
    assert "BETA" not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "list_status", "post_status"),
    [
        ("anonymous", 401, 401),
        ("owner", 200, 201),
        ("neighbour", 200, 404),
        ("manager", 200, 201),
        ("staff", 200, 201),
    ],
)
def test_authorization_matrix(client, meters, manager, who, list_status, post_status):
    users = {
        "owner": meters["owner"],
        "neighbour": meters["neighbour"],
        "manager": manager,
        "staff": user_create(login="bok", password="x", role="customer_service"),
    }
    if who in users:
        _as(client, users[who])
    before = Reading.objects.count()
    assert client.get("/api/v1/meters", HTTP_HOST=A).status_code == list_status
    response = client.post(
        f"/api/v1/meters/{meters['w1'].pk}/readings",
        {"value": "134"},
        content_type="application/json",
        HTTP_HOST=A,
    )
    assert response.status_code == post_status
    assert Reading.objects.count() == before + (1 if post_status == 201 else 0)


def test_a_reading_with_its_photo_through_the_api_as_multipart(client, meters):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "JPEG")
    _as(client, meters["owner"])
    url = f"/api/v1/meters/{meters['w1'].pk}/readings"
    fake = SimpleUploadedFile("l.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg")
    refused = client.post(url, {"value": "134", "photo": fake}, HTTP_HOST=A)
    assert refused.status_code == 400
    assert refused.json()["code"] == "photo_not_an_image"
    photo = SimpleUploadedFile("l.jpg", out.getvalue(), "image/jpeg")
    sent = client.post(url, {"value": "134", "photo": photo}, HTTP_HOST=A)
    assert sent.status_code == 201
    assert sent.json()["has_photo"] is True


def test_a_two_zone_reading_through_the_api_names_its_register(client, meters):
    _as(client, meters["owner"])
    url = f"/api/v1/meters/{meters['e3'].pk}/readings"
    missing = client.post(url, {"value": "510"}, content_type="application/json", HTTP_HOST=A)
    assert missing.json()["code"] == "register_required"
    sent = client.post(
        url, {"value": "510", "register": "day"}, content_type="application/json", HTTP_HOST=A
    )
    assert sent.status_code == 201
    assert sent.json()["register"] == "day"
