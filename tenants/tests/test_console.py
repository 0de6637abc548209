"""The operators' console: who may enter (operators with 2FA only), what it shows (figures, never
customer data), suspension and its effect, audited configuration changes, domains, invitation,
export and deletion."""

from __future__ import annotations

import re
import shutil

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from identity.services import user_create
from identity.tests.conftest import login, login_verified_staff
from tenants.models import PlatformEvent, Tenant, TenantSettingChange
from tenants.tests.conftest import ROOT, decrypted, needs_age

pytestmark = pytest.mark.django_db
PASSWORD = "OpEr8t0r!xx"


@pytest.fixture
def operator(public_schema):
    return user_create(login="olga", password=PASSWORD, role="operator", email="o@ebok.example")


@pytest.fixture
def console(client, operator):
    login_verified_staff(client, ROOT, operator, PASSWORD)
    connection.set_schema_to_public()
    return client


@pytest.fixture
def alpha_customer(tenants):
    """A customer record and account in alpha with a name that must never reach the console."""
    from billing.models import Customer

    with schema_context(tenants.a.schema_name):
        Customer.objects.create(
            erp_id="K-CONSOLE-1", symbol="L7777777", name="Zenobia Tajemnicza-Klientka"
        )
        user_create(login="L7777777", password="RyBa18$05", email="zenobia@example.com")
    return "Zenobia Tajemnicza-Klientka"


def test_console_requires_login_operator_role_and_second_factor(client, public_schema, tenants):
    # Anonymous: to the login page.
    response = client.get("/console/", HTTP_HOST=ROOT)
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    # A public-schema account that is not an operator: refused.
    user_create(login="nie-operator", password=PASSWORD, role="tenant_admin", email="x@e.example")
    client.post("/login/", {"login": "nie-operator", "password": PASSWORD}, HTTP_HOST=ROOT)
    connection.set_schema_to_public()
    client.get("/account/2fa/enrol/", HTTP_HOST=ROOT)
    # (held at the second factor first; with it verified it is 403, see the next test)
    held = client.get("/console/", HTTP_HOST=ROOT)
    assert (held.status_code, held.get("Location")) == (302, "/account/2fa/"), held.status_code
    client.logout()
    # An operator who has not confirmed the second factor: sent to it; the API refuses.
    user_create(login="olga2", password=PASSWORD, role="operator", email="o2@ebok.example")
    login(client, ROOT, "olga2", PASSWORD)
    connection.set_schema_to_public()
    response = client.get("/console/", HTTP_HOST=ROOT)
    assert response.status_code == 302
    assert "/account/2fa/" in response.url
    assert client.get("/api/v1/operators/tenants", HTTP_HOST=ROOT).status_code == 428
    # The console does not exist on a tenant's host.
    assert client.get("/console/", HTTP_HOST="alpha.localhost").status_code == 404


def test_non_operator_with_verified_second_factor_is_refused(client, public_schema):
    admin = user_create(login="adm", password=PASSWORD, role="tenant_admin", email="a@e.example")
    login_verified_staff(client, ROOT, admin, PASSWORD)
    connection.set_schema_to_public()
    assert client.get("/console/", HTTP_HOST=ROOT).status_code == 403
    assert client.get("/api/v1/operators/tenants", HTTP_HOST=ROOT).status_code == 403


def test_tenant_list_shows_figures_but_no_customer_data(console, tenants, alpha_customer):
    page = console.get("/console/", HTTP_HOST=ROOT)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Spółdzielnia Alfa" in html
    assert "Beta Energia" in html
    assert alpha_customer not in html
    rows = {
        r["slug"]: r
        for r in console.get("/api/v1/operators/tenants", HTTP_HOST=ROOT).json()["results"]
    }
    alpha = rows["alpha"]
    assert alpha["customers"] >= 1
    assert alpha["accounts"] >= 1
    assert alpha["storage_bytes"] > 0
    assert "alpha.localhost" in alpha["domains"]
    searched = console.get("/api/v1/operators/tenants", {"q": "beta"}, HTTP_HOST=ROOT).json()
    assert [r["slug"] for r in searched["results"]] == ["beta"]
    bad = console.get("/api/v1/operators/tenants", {"status": "bogus"}, HTTP_HOST=ROOT)
    assert bad.status_code == 400
    detail = console.get(f"/console/tenants/{tenants.a.pk}/", HTTP_HOST=ROOT).content.decode()
    assert alpha_customer not in detail
    assert "zenobia@example.com" not in detail
    # The operator's session opens nothing on the tenant's host.
    assert console.get("/api/v1/premises", HTTP_HOST="alpha.localhost").status_code == 401
    assert console.get("/charges/", HTTP_HOST="alpha.localhost").status_code == 302


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_suspension_shows_the_page_stops_jobs_and_reactivation_restores(
    console, tenants, django_capture_on_commit_callbacks
):
    from tenants.selectors import active_tenant_schemas

    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            f"/console/tenants/{tenants.b.pk}/suspend/", {"reason": "unpaid"}, HTTP_HOST=ROOT
        )
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenants.b.pk).status == "suspended"
    # (A separate client: Django's test client sends every cookie to every host.)
    visitor = Client()
    page = visitor.get("/login/", HTTP_HOST="beta.localhost")
    assert page.status_code == 503
    assert (
        console.get("/api/v1/tenant", HTTP_HOST="beta.localhost").json()["code"]
        == "tenant_suspended"
    )
    connection.set_schema_to_public()
    assert "beta" not in active_tenant_schemas()
    assert "alpha" in active_tenant_schemas()
    from ebok.tasks import run_for_every_tenant

    queued = run_for_every_tenant.apply(args=("ebok.tasks.schema_probe",)).get()
    assert queued == len(active_tenant_schemas())
    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/console/tenants/{tenants.b.pk}/reactivate/", HTTP_HOST=ROOT)
    assert Tenant.objects.get(pk=tenants.b.pk).status == "active"
    assert visitor.get("/login/", HTTP_HOST="beta.localhost").status_code == 200
    connection.set_schema_to_public()
    kinds = list(PlatformEvent.objects.filter(tenant=tenants.b).values_list("kind", flat=True))
    assert kinds[:2] == ["tenant_reactivated", "tenant_suspended"]
    audit_response = console.get("/console/audit/", HTTP_HOST=ROOT)
    assert audit_response.status_code == 200, audit_response.get("Location")
    audit = audit_response.content.decode()
    assert "olga" in audit


def test_configuration_change_goes_through_the_audited_path(console, tenants):
    url = f"/console/tenants/{tenants.a.pk}/settings/"
    response = console.post(url, {"key": "lockout.threshold", "value": "7"}, HTTP_HOST=ROOT)
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenants.a.pk).configuration.lockout.threshold == 7
    change = TenantSettingChange.objects.filter(tenant=tenants.a, key="lockout.threshold").first()
    assert change.old_value == 5
    assert change.new_value == 7
    assert change.actor.startswith("olga")
    before = Tenant.objects.get(pk=tenants.a.pk).config
    for key, value in [
        ("lockout.threshold", '"many"'),
        ("no.such.setting", "1"),
        ("lockout.threshold", "{not json"),
    ]:
        refused = console.post(url, {"key": key, "value": value}, HTTP_HOST=ROOT)
        assert refused.status_code == 400, key
        assert Tenant.objects.get(pk=tenants.a.pk).config == before


def test_custom_domain_and_invitation(console, provisioned, django_capture_on_commit_callbacks):
    from core.outbox.models import Message

    tenant = provisioned.tenant
    url = f"/console/tenants/{tenant.pk}/domains/"
    for bad in ("not a domain", "alpha.localhost", "localhost"):
        assert console.post(url, {"domain": bad}, HTTP_HOST=ROOT).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            console.post(url, {"domain": "ebok.smtestowa.example"}, HTTP_HOST=ROOT).status_code
            == 302
        )
    assert (
        console.post(url, {"domain": "ebok.smtestowa.example"}, HTTP_HOST=ROOT).status_code == 409
    )
    assert Client().get("/login/", HTTP_HOST="ebok.smtestowa.example").status_code == 200
    connection.set_schema_to_public()
    response = console.post(f"/console/tenants/{tenant.pk}/invitation/", HTTP_HOST=ROOT)
    assert response.status_code == 302, response.content.decode()[-3000:]
    with schema_context(tenant.schema_name):
        invitations = Message.objects.filter(recipient="anna@smtestowa.example")
        assert invitations.count() == 2
        from identity.models import OneTimeToken

        assert OneTimeToken.objects.filter(used_at__isnull=True).count() == 1


EXPORT = {"purpose": "controller_request", "reason": "Pismo Zarządu z 1.12.2026, zgłoszenie 4411"}


@pytest.mark.skipif(
    not shutil.which("pg_dump") and not __import__("os").environ.get("CI"),
    reason="pg_dump is not installed",
)
@needs_age
def test_the_export_is_encrypted_audited_and_opens_only_with_the_private_key(
    console, tenants, settings, tmp_path, export_key, alpha_customer
):
    settings.TENANT_EXPORT_ROOT = tmp_path / "exports"
    response = console.post(f"/console/tenants/{tenants.a.pk}/export/", EXPORT, HTTP_HOST=ROOT)
    assert response.status_code == 302
    (dump,) = (tmp_path / "exports").iterdir()
    assert dump.name.startswith("alpha-")
    assert dump.name.endswith(".sql.age")
    sealed = dump.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    for clear in (b"CREATE TABLE", b"billing_customer", alpha_customer.encode(), b"zenobia@"):
        assert clear not in sealed, clear  # at rest, nothing of the customers reads
    text = decrypted(dump, export_key).decode()
    assert "CREATE TABLE alpha.billing_customer" in text
    assert alpha_customer in text
    assert "beta." not in text
    event = PlatformEvent.objects.get(kind="tenant_exported", tenant=tenants.a)
    assert (event.details["purpose"], event.details["reason"]) == (
        EXPORT["purpose"],
        EXPORT["reason"],
    )
    assert event.details["file"] == dump.name
    assert event.details["encrypted_to"][0].startswith("age1")
    assert event.actor.startswith("olga")

    download = console.get(f"/console/tenants/{tenants.a.pk}/exports/{dump.name}", HTTP_HOST=ROOT)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == sealed  # what leaves is the sealed file
    (fetched,) = PlatformEvent.objects.filter(kind="tenant_export_downloaded")
    assert (fetched.details["file"], fetched.details["encrypted"]) == (dump.name, True)
    assert (
        console.get(f"/console/tenants/{tenants.a.pk}/exports/../x", HTTP_HOST=ROOT).status_code
        == 404
    )
    assert PlatformEvent.objects.filter(kind="tenant_export_downloaded").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": EXPORT["reason"]}, "purpose"),
        ({**EXPORT, "purpose": "curiosity"}, "purpose"),
        ({"purpose": "migration"}, "reason"),
        ({"purpose": "migration", "reason": "   "}, "reason"),
        ({"purpose": "migration", "reason": "x" * 9}, "reason"),  # one short of the least
        ({"purpose": "migration", "reason": "x" * 501}, "reason"),
    ],
)
def test_no_export_without_a_documented_purpose_and_a_reason(
    console, tenants, settings, tmp_path, export_key, data, field
):
    settings.TENANT_EXPORT_ROOT = tmp_path / "exports"
    response = console.post(
        f"/console/tenants/{tenants.a.pk}/export/", data, HTTP_HOST=ROOT, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    page = response.content.decode()
    (tag,) = re.findall(rf'<(?:select|textarea)[^>]*id="id_export_{field}"[^>]*>', page)
    assert 'aria-invalid="true"' in tag  # the export's own field, not the suspension's
    assert not (tmp_path / "exports").exists() or not any((tmp_path / "exports").iterdir())
    assert not PlatformEvent.objects.filter(kind="tenant_exported").exists()


@needs_age
def test_a_reason_of_the_least_length_is_enough(console, tenants, settings, tmp_path, export_key):
    settings.TENANT_EXPORT_ROOT = tmp_path / "exports"
    data = {"purpose": "migration", "reason": "x" * 10}
    response = console.post(f"/console/tenants/{tenants.a.pk}/export/", data, HTTP_HOST=ROOT)
    assert response.status_code == 302
    assert PlatformEvent.objects.get(kind="tenant_exported").details["purpose"] == "migration"


def test_without_a_key_to_encrypt_to_nothing_is_exported(console, tenants, settings, tmp_path):
    settings.TENANT_EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_RECIPIENTS = []
    response = console.post(
        f"/console/tenants/{tenants.a.pk}/export/",
        EXPORT,
        HTTP_HOST=ROOT,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 503
    assert "no public key to encrypt them to is set" in response.content.decode()
    assert not (tmp_path / "exports").exists() or not any((tmp_path / "exports").iterdir())
    assert not PlatformEvent.objects.filter(kind="tenant_exported").exists()
    settings.EXPORT_RECIPIENTS = ["age1-not-a-key"]
    response = console.post(f"/console/tenants/{tenants.a.pk}/export/", EXPORT, HTTP_HOST=ROOT)
    assert response.status_code == 503


@needs_age
def test_a_failed_export_is_reported_and_changes_nothing(
    console, tenants, settings, tmp_path, monkeypatch, export_key
):
    from tenants import pgtools

    settings.TENANT_EXPORT_ROOT = tmp_path / "exports"
    # A schema behind the code's migrations is described by pg_dump, which fails here.
    Tenant.objects.filter(pk=tenants.a.pk).update(migrations_fingerprint="older")
    monkeypatch.setattr(pgtools, "pg_dump_binary", lambda: shutil.which("false"))
    response = console.post(
        f"/console/tenants/{tenants.a.pk}/export/",
        EXPORT,
        HTTP_HOST=ROOT,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 503
    assert "The export failed; nothing was changed." in response.content.decode()
    assert list((tmp_path / "exports").iterdir()) == []
    assert not PlatformEvent.objects.filter(kind="tenant_exported").exists()


def test_unconfirmed_signups_are_forgotten(public_schema, client):
    from datetime import timedelta

    from django.utils import timezone

    from tenants.models import SignupRequest
    from tenants.tasks import signup_purge
    from tenants.tests.conftest import signup_data

    client.post("/signup/", signup_data(), HTTP_HOST=ROOT)
    client.post("/signup/", signup_data(slug="druga", admin_email="b@x.example"), HTTP_HOST=ROOT)
    SignupRequest.objects.filter(slug="druga").update(
        token_expires_at=timezone.now() - timedelta(days=8)
    )
    assert signup_purge() == 1
    assert list(SignupRequest.objects.values_list("slug", flat=True)) == ["smtestowa"]


def test_deletion_needs_the_subdomain_typed_and_is_recorded(console, provisioned):
    tenant = provisioned.tenant
    url = f"/console/tenants/{tenant.pk}/delete/"
    refused = console.post(url, {"confirmation": "alpha"}, HTTP_HOST=ROOT)
    assert refused.status_code == 400
    assert Tenant.objects.filter(pk=tenant.pk).exists()
    response = console.post(url, {"confirmation": "smtestowa"}, HTTP_HOST=ROOT)
    assert response.status_code == 302
    assert not Tenant.objects.filter(slug="smtestowa").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'smtestowa'")
        assert cursor.fetchone() is None
    event = PlatformEvent.objects.get(kind="tenant_deleted")
    assert event.tenant_slug == "smtestowa"
    assert event.actor.startswith("olga")
    # The platform itself cannot be deleted from the console.
    assert (
        console.post(
            f"/console/tenants/{Tenant.objects.get(schema_name='public').pk}/delete/",
            {"confirmation": "public"},
            HTTP_HOST=ROOT,
        ).status_code
        == 404
    )


def test_a_nul_character_in_the_console_search_is_no_error(console, tenants):
    """#12 item 15: `?q=%00` answered 500 (PostgreSQL refuses NUL in text)."""
    response = console.get("/console/", {"q": "alp\x00ha"}, HTTP_HOST=ROOT)
    assert response.status_code == 200


def test_console_refuses_a_rule_below_the_floor_and_says_which_and_why(console, tenants):
    """#12 item 14: the console accepted a minimum length of 4; its errors did not say what was
    wrong."""
    url = f"/console/tenants/{tenants.a.pk}/settings/"
    before = Tenant.objects.get(pk=tenants.a.pk).config
    refused = console.post(url, {"key": "password_policy.min_length", "value": "4"}, HTTP_HOST=ROOT)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "password_policy.min_length: Podaj liczbę od 6 do 64." in body
    assert Tenant.objects.get(pk=tenants.a.pk).config == before


def test_suspension_needs_a_reason_and_the_audit_log_reads_as_text(console, tenants):
    url = f"/console/tenants/{tenants.b.pk}/suspend/"
    refused = console.post(url, {"reason": "  "}, HTTP_HOST=ROOT)
    assert refused.status_code == 400
    assert Tenant.objects.get(pk=tenants.b.pk).status == "active"
    console.post(url, {"reason": "Nieopłacone faktury"}, HTTP_HOST=ROOT)
    console.post(
        f"/console/tenants/{tenants.a.pk}/settings/",
        {"key": "lockout.threshold", "value": "7"},
        HTTP_HOST=ROOT,
    )
    audit = console.get("/console/audit/", HTTP_HOST=ROOT).content.decode()
    assert "Powód: <code>Nieopłacone faktury</code>" in audit
    assert "{&#x27;" not in audit
    assert "{'" not in audit
    assert "Zmiana ustawienia: lockout.threshold" in audit
    assert "Zmiana stanu" in audit
    assert ">suspended<" not in audit  # the status in words
    assert "Konfiguracja z szablonu" in audit or "Utworzono konfigurację" in audit
    home = console.get("/console/", HTTP_HOST=ROOT).content.decode()
    assert "Imię i nazwisko" not in home


def test_the_retention_page_shows_counts_per_rule_and_who_did_not_report(console, tenants):
    from datetime import date

    from tenants.models import RetentionReport

    Tenant.objects.filter(pk=tenants.b.pk).update(created_at="2026-01-01T00:00:00Z")
    RetentionReport.objects.create(
        tenant=tenants.a,
        ran_on=date(2026, 12, 1),
        deleted=7,
        rules={"security_log_1y": 5, "unconfirmed_30d": 2},
    )
    page = console.get("/console/retention/", HTTP_HOST=ROOT, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "01/12/2026" in html  # the day first, as English is written in Europe
    assert "(security_log_1y)</span></td><td>5<" in html
    assert ">alpha</a></td><td>7<" in html
    assert "1 portal reported nothing that day" in html
    assert "beta" in html.split("reported nothing")[1]
