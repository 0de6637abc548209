"""A customer's copy of their own data (art. 15 and 20 GDPR, SECURITY.md G6): all and only their
rows, built in the background, downloaded by their own session within a week."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from billing.importing import import_text
from billing.models import Customer, Invoice, InvoiceXml
from billing.tests.conftest import manager_of
from core.errors import ApplicationError
from core.outbox.models import Message
from identity import services
from identity.models import AuthEvent, DataExport

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "RyBa18$05"


@pytest.fixture
def shared_premises(ledger):
    """K2 is also a holder of K1's flat M1 (co-owners): what belongs to M1 is both of theirs,
    K2's own invoices and records are not K1's."""
    assert not import_text(
        "legal-titles",
        "erp_id;customer_erp_id;premises_erp_id;valid_from\nT9;K2;M1;2021-01-01\n",
    ).errors
    assert not import_text(
        "meters", "erp_id;serial_number;kind;premises_erp_id\nW1;WM-1;cold_water;M1\n"
    ).errors
    assert not import_text(
        "meters", "erp_id;serial_number;kind;premises_erp_id\nW2;WM-2;cold_water;M2\n"
    ).errors
    # R2: a reading of K2's flat M2 taken before K2's title began (the previous occupant's)
    assert not import_text(
        "readings",
        "erp_id;meter_erp_id;read_at;value\nR1;W1;2026-01-31;12.5\nR2;W2;2019-06-30;77.25\n",
    ).errors
    InvoiceXml.objects.create(
        invoice=Invoice.objects.get(erp_id="F1"),
        content=b"<Faktura>FV/1/2026</Faktura>",
        sha256="0" * 64,
    )
    ledger["owner"].email = "jan@example.com"
    ledger["owner"].save(update_fields=["email"])
    return ledger


@pytest.fixture
def tenant_b_twin(tenants):
    """Tenant B holds a customer and an invoice with the same ERP ids (and likely the same ids)."""
    connection.set_tenant(tenants.b)
    import_text("customers", "erp_id;symbol;kind;name\nK1;L0000001;individual;Bożena z B\n")
    import_text(
        "invoices",
        "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
        "F1;FV/B/777;K1;2026-01-02;2026-01-10;1.00\n",
    )
    connection.set_tenant(tenants.a)


def _request(client, django_capture_on_commit_callbacks, password=PASSWORD):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/account/data/", {"current_password": password}, HTTP_HOST=HOST)


def _archive(client, export) -> zipfile.ZipFile:
    response = client.get(f"/account/data/{export.pk}/download/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_copy_holds_all_and_only_the_customers_own_data(
    client, shared_premises, tenant_b_twin, django_capture_on_commit_callbacks
):
    owner = shared_premises["owner"]
    for _version in range(2):
        services.document_publish(kind="marketing_consent", title="Zgoda", body="Oferty")
    services.consent_set(user=owner, purpose="marketing", granted=True)
    services.consent_set(user=shared_premises["neighbour"], purpose="marketing", granted=True)
    client.force_login(owner)
    assert _request(client, django_capture_on_commit_callbacks).status_code == 302
    export = DataExport.objects.get(user=owner)
    assert export.status == DataExport.Status.READY
    archive = _archive(client, export)
    names = set(archive.namelist())
    for expected in (
        "README.txt",
        "identity/user.json",
        "identity/user.csv",
        "billing/customer.json",
        "billing/invoice.json",
        "billing/invoice/FV-1-2026.pdf",
        "billing/charge.csv",
        "billing/paymentreceived.json",
        "billing/legaltitle.json",
        "metering/reading.json",
        "identity/authevent.json",
    ):
        assert expected in names, expected
    assert archive.read("billing/invoice/FV-1-2026.pdf").startswith(b"%PDF")
    assert archive.read("billing/invoicexml/FV-1-2026.xml") == b"<Faktura>FV/1/2026</Faktura>"
    invoices = json.loads(archive.read("billing/invoice.json"))
    assert [i["number"] for i in invoices] == ["FV/1/2026"]
    customers = json.loads(archive.read("billing/customer.json"))
    assert [c["erp_id"] for c in customers] == ["K1"]
    assert "pesel_hash" not in customers[0]
    assert customers[0]["pesel_masked"].endswith("*") or "*" in customers[0]["pesel_masked"]
    (user,) = json.loads(archive.read("identity/user.json"))
    assert user["username"] == "L0000001"
    assert "password" not in user
    # The flat both hold: its meter's reading is in K1's copy too; K2's own rows are not.
    assert [r["value"] for r in json.loads(archive.read("metering/reading.json"))] == ["12.500"]
    titles = json.loads(archive.read("billing/legaltitle.json"))
    assert sorted(t["erp_id"] for t in titles) == ["T1"]
    everything = b"".join(archive.read(n) for n in names)
    for foreign in ("Ewa Sąsiadka", "FV/2/2026", "999.99", "Bożena z B", "FV/B/777", "L0000002"):
        assert foreign.encode() not in everything, foreign
    # the secrets of the account are never given out, not even to its owner
    assert owner.password.encode() not in everything
    readme = archive.read("README.txt").decode()
    assert "billing/invoice" in readme
    assert "art. 74" in readme  # the invoices' retention names the law
    # consents with the version of the text consented to (the neighbour's is not here)
    (consent,) = json.loads(archive.read("identity/consentrecord.json"))
    assert (consent["purpose"], consent["granted"]) == ("marketing", True)
    assert (consent["text_kind"], consent["text_version"]) == ("marketing_consent", 2)
    assert "text_version" in archive.read("identity/consentrecord.csv").decode()


def test_the_customer_is_told_by_e_mail_and_the_link_alone_opens_nothing(
    client, shared_premises, django_capture_on_commit_callbacks
):
    owner = shared_premises["owner"]
    client.force_login(owner)
    _request(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get(user=owner)
    mail = Message.objects.get(template="data_export_ready")
    assert mail.recipient == "jan@example.com"
    assert "/account/data/" in mail.body_text
    assert str(export.pk) not in mail.body_text.split("/account/data/")[1].split()[0]
    client.logout()
    anonymous = client.get(f"/account/data/{export.pk}/download/", HTTP_HOST=HOST)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.DATA_EXPORT_REQUESTED, user=owner).exists()


def test_another_customers_copy_is_not_found_and_an_expired_one_is_gone(
    client, shared_premises, django_capture_on_commit_callbacks
):
    owner, neighbour = shared_premises["owner"], shared_premises["neighbour"]
    client.force_login(owner)
    _request(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get(user=owner)
    client.force_login(neighbour)
    assert client.get(f"/account/data/{export.pk}/download/", HTTP_HOST=HOST).status_code == 404
    assert not AuthEvent.objects.filter(kind=AuthEvent.Kind.DATA_EXPORT_DOWNLOADED).exists()
    client.force_login(owner)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    expired = client.get(f"/account/data/{export.pk}/download/", HTTP_HOST=HOST)
    assert expired.status_code == 302
    assert expired["Location"] == "/account/data/"
    assert services.data_exports_expire() == 1
    assert services.data_exports_expire() == 0  # the nightly job run again changes nothing
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED
    assert export.path == ""
    assert client.get(f"/account/data/{export.pk}/download/", HTTP_HOST=HOST).status_code == 302


def test_a_wrong_password_starts_nothing(
    client, shared_premises, django_capture_on_commit_callbacks
):
    client.force_login(shared_premises["owner"])
    response = _request(client, django_capture_on_commit_callbacks, password="zgadywane")
    assert response.status_code == 200
    assert "Obecne hasło jest nieprawidłowe." in response.content.decode()
    assert not DataExport.objects.exists()
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.REAUTHENTICATION_FAILED).count() == 1


def test_asking_again_within_the_hour_gives_the_same_copy(
    client, shared_premises, django_capture_on_commit_callbacks
):
    client.force_login(shared_premises["owner"])
    _request(client, django_capture_on_commit_callbacks)
    _request(client, django_capture_on_commit_callbacks)
    assert DataExport.objects.count() == 1
    DataExport.objects.update(requested_at=timezone.now() - timedelta(hours=1, seconds=1))
    _request(client, django_capture_on_commit_callbacks)
    assert DataExport.objects.count() == 2


def test_a_retried_build_task_builds_once(shared_premises, django_capture_on_commit_callbacks):
    owner = shared_premises["owner"]
    with django_capture_on_commit_callbacks(execute=False):
        export = services.data_export_request(
            user=owner, current_password=PASSWORD, base_url="http://alpha.localhost"
        )
    services.data_export_build(export_id=export.pk, base_url="http://alpha.localhost")
    export.refresh_from_db()
    first_path = export.path
    services.data_export_build(export_id=export.pk, base_url="http://alpha.localhost")
    export.refresh_from_db()
    assert export.path == first_path
    assert default_storage.exists(first_path)
    assert Message.objects.filter(template="data_export_ready").count() == 1


def test_a_property_manager_gets_no_copy_of_the_customers_data(client, shared_premises):
    manager = manager_of("M1")
    client.force_login(manager)
    assert client.get("/account/data/", HTTP_HOST=HOST).status_code == 403
    assert (
        client.post("/account/data/", {"current_password": PASSWORD}, HTTP_HOST=HOST).status_code
        == 403
    )
    with pytest.raises(ApplicationError) as refused:
        services.data_export_request(user=manager, current_password=PASSWORD, base_url="")
    assert (refused.value.status, refused.value.code) == (403, "not_allowed")
    assert not DataExport.objects.exists()


def test_the_api_starts_and_reports_the_copy(
    client, shared_premises, django_capture_on_commit_callbacks
):
    client.force_login(shared_premises["owner"])
    none_yet = client.get("/api/v1/me/export", HTTP_HOST=HOST)
    assert none_yet.status_code == 404
    assert none_yet.json()["code"] == "not_found"
    wrong = client.post(
        "/api/v1/me/export",
        {"current_password": "x"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_current_password"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/api/v1/me/export",
            {"current_password": PASSWORD},
            content_type="application/json",
            HTTP_HOST=HOST,
        )
    assert started.status_code == 202
    report = client.get("/api/v1/me/export", HTTP_HOST=HOST).json()
    assert report["status"] == "ready"
    assert report["download_url"].endswith(f"/account/data/{report['id']}/download/")
    assert report["size"] > 0


def test_a_reading_from_before_the_customers_title_is_not_theirs(shared_premises):
    """K2 holds M2 from 2020: the reading of 2019 is the previous occupant's, in nobody's copy
    of these two; the reading of M1 while both hold it is in both."""
    from core import personal_data
    from metering.models import Reading

    holding = personal_data.holding_for(Reading)
    k1 = Customer.objects.get(erp_id="K1").pk
    k2 = Customer.objects.get(erp_id="K2").pk
    of_k2 = set(holding.rows_of(customer_ids=[k2]).values_list("erp_id", flat=True))
    of_k1 = set(holding.rows_of(customer_ids=[k1]).values_list("erp_id", flat=True))
    assert of_k2 == {"R1"}
    assert of_k1 == {"R1"}


def test_a_login_by_pesel_is_never_given_out_as_its_hash(shared_premises):
    """An account that logs in by PESEL is stored under a keyed hash of it; the copy shows the
    customer symbol instead (SECURITY.md G5)."""
    from core import personal_data
    from identity.models import User

    owner = shared_premises["owner"]
    User.objects.filter(pk=owner.pk).update(username="pesel:" + "ab" * 20)
    buffer = io.BytesIO()
    personal_data.export_archive(buffer, account_id=owner.pk, customer_ids=[], readme="")
    archive = zipfile.ZipFile(buffer)
    (user,) = json.loads(archive.read("identity/user.json"))
    assert user["username"] == "L0000001"
    assert b"abab" not in b"".join(archive.read(n) for n in archive.namelist())
