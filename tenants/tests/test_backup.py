"""One tenant's export and restore (tenants.backup): the drill (export, delete, restore: every
table's rows and checksum match and the portal serves the tenant again), a file tampered with,
a hostile file, a taken subdomain, and the other tenants untouched."""

from __future__ import annotations

import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from billing.importing import import_text
from billing.models import Customer, Invoice
from billing.services import customer_account_attach
from billing.tests.conftest import FILES
from core.errors import ApplicationError
from identity.models import User
from identity.services import user_create
from tenants import backup
from tenants.models import Domain, PlatformEvent, Tenant
from tenants.provisioning import tenant_delete, tenant_export, tenant_restore
from tenants.services import tenant_create
from tenants.tests.conftest import needs_age

pytestmark = pytest.mark.django_db
HOST = "drill.localhost"


@pytest.fixture
def drill(tenants):
    """A tenant with customers, invoices, payments and an account, beside alpha and beta."""
    tenant = tenant_create(name="Spółdzielnia Ćwiczebna", slug="drill", preset_code="A")
    connection.set_tenant(tenant)
    for entity, payload in FILES.items():
        assert import_text(entity, payload).errors == [], entity
    owner = user_create(login="L0000001", password="RyBa18$05", customer_symbol="L0000001")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=owner)
    connection.set_schema_to_public()
    return tenant


def _counts(schema: str, manifest: dict) -> dict[str, tuple[int, str]]:
    connection.set_schema_to_public()
    return backup.table_checksums(schema, manifest["tables"])


def test_the_drill_export_delete_restore_gives_back_every_row(
    drill, tmp_path, django_capture_on_commit_callbacks
):
    path = tenant_export(tenant=drill, actor="test", target=tmp_path / "drill.sql")
    manifest = backup.read_manifest(path)
    before = _counts("drill", manifest)
    assert before["billing_invoice"][0] == 2
    assert before["identity_user"][0] >= 1
    assert manifest["ddl"] == "template"  # no catalogue-wide pg_dump
    alpha_before = _counts("alpha", manifest)

    tenant_delete(tenant=drill, confirmation="drill", actor="test")
    assert not Tenant.objects.filter(slug="drill").exists()
    assert Client().get("/login/", HTTP_HOST=HOST).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):  # every process hears of it
        restored = tenant_restore(source=path, actor="test")
    assert restored.schema_name == "drill"
    assert _counts("drill", manifest) == before
    assert _counts("alpha", manifest) == alpha_before  # nobody else touched
    assert Domain.objects.get(domain=HOST).tenant_id == restored.pk
    assert PlatformEvent.objects.filter(kind="tenant_restored", tenant=restored).exists()

    # The portal serves the tenant again: its customer logs in and sees the invoices.
    client = Client()
    response = client.post(
        "/login/", {"login": "L0000001", "password": "RyBa18$05"}, HTTP_HOST=HOST
    )
    assert response.status_code == 302
    page = client.get("/api/v1/invoices", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert "FV/1/2026" in page.content.decode()
    # New rows continue the sequences where they were.
    connection.set_tenant(restored)
    next_user = user_create(login="L0000009", password="RyBa18$05")
    assert next_user.pk > User.objects.exclude(pk=next_user.pk).order_by("-pk").first().pk


def test_the_drill_command_reports_and_checks_the_portal(drill, tmp_path, capsys):
    call_command("tenant_restore_drill", "drill", confirm="drill", keep=tmp_path)
    out = capsys.readouterr().out
    assert "every table's rows and checksum match" in out
    assert "answers 200" in out
    assert Tenant.objects.filter(slug="drill").exists()
    with pytest.raises(CommandError):
        call_command("tenant_restore_drill", "drill", confirm="alpha")


def test_a_tampered_row_is_refused_and_nothing_is_kept(drill, tmp_path):
    path = tenant_export(tenant=drill, actor="test", target=tmp_path / "drill.sql")
    tenant_delete(tenant=drill, confirmation="drill", actor="test")
    text = path.read_text()
    assert "FV/2/2026" in text
    path.write_text(text.replace("FV/2/2026", "FV/9/2026"))
    with pytest.raises(ApplicationError) as refused:
        tenant_restore(source=path, actor="test")
    assert refused.value.status == 400
    assert "billing_invoice" in str(refused.value)
    assert not Tenant.objects.filter(slug="drill").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'drill'")
        assert cursor.fetchone()[0] == 0


def test_a_hostile_file_cannot_reach_another_schema_or_run_sql(drill, tenants, tmp_path):
    # Alpha holds customers with the same ERP ids (and ids) as the drill tenant's.
    connection.set_tenant(tenants.a)
    for entity in ("customers", "premises"):
        assert import_text(entity, FILES[entity]).errors == []
    alpha_tables = [{"name": "billing_customer", "order": ["id"]}]
    alpha_before = _counts("alpha", {"tables": alpha_tables})
    assert alpha_before["billing_customer"][0] == 2
    path = tenant_export(tenant=drill, actor="test", target=tmp_path / "drill.sql")
    tenant_delete(tenant=drill, confirmation="drill", actor="test")
    text = path.read_text()
    # Rows aimed at alpha's customers, and a statement hidden among the DDL.
    hostile = text.replace('COPY "drill"."billing_customer"', 'COPY "alpha"."billing_customer"', 1)
    path.write_text(hostile)
    with pytest.raises(ApplicationError) as refused:
        tenant_restore(source=path, actor="test")
    assert refused.value.status == 400
    lines = text.splitlines(keepends=True)
    lines.insert(2, "DROP SCHEMA alpha CASCADE;\n")
    path.write_text("".join(lines))
    tenant_restore(source=path, actor="test")  # the file's DDL is not run: made from the template
    assert Tenant.objects.filter(slug="drill").exists()
    # Alpha's schema and its customers are exactly as they were.
    assert _counts("alpha", {"tables": alpha_tables}) == alpha_before


def test_restore_is_refused_while_the_subdomain_is_taken(drill, tmp_path):
    path = tenant_export(tenant=drill, actor="test", target=tmp_path / "drill.sql")
    with pytest.raises(ApplicationError) as refused:
        tenant_restore(source=path, actor="test")
    assert refused.value.status == 409
    not_an_export = tmp_path / "x.sql"
    not_an_export.write_text("CREATE TABLE x (a int);\n")
    with pytest.raises(ApplicationError) as refused:
        tenant_restore(source=not_an_export, actor="test")
    assert refused.value.status == 400


def test_an_export_at_older_migrations_needs_the_operators_trust(drill, tmp_path):
    """An export taken before a migration: its schema is not the template's, so its own DDL is
    needed, which runs only when the operator says the file is theirs."""
    path = tenant_export(tenant=drill, actor="test", target=tmp_path / "drill.sql")
    fingerprint = backup.read_manifest(path)["fingerprint"]
    path.write_text(path.read_text().replace(fingerprint, "older"))
    tenant_delete(tenant=drill, confirmation="drill", actor="test")
    with pytest.raises(ApplicationError) as refused:
        tenant_restore(source=path, actor="test")
    assert refused.value.status == 400
    assert not Tenant.objects.filter(slug="drill").exists()
    restored = tenant_restore(source=path, actor="test", trust_file_ddl=True)
    assert restored.migrations_fingerprint == "older"  # migrate_tenants brings it up to date
    connection.set_tenant(restored)
    assert Invoice.objects.count() == 2


@needs_age
def test_an_encrypted_export_restores_only_with_its_private_key(drill, tmp_path, export_key):
    """The file the console keeps is encrypted (tenants.sealed_files): the restore command opens
    it with the private key, refuses without it or with another key, and leaves no plain copy."""
    path = tenant_export(
        tenant=drill, actor="test", target=tmp_path / "drill.sql.age", encrypt=True
    )
    assert path.read_bytes().startswith(b"age-encryption.org/v1")
    tenant_delete(tenant=drill, confirmation="drill", actor="test")
    with translation.override("en"), pytest.raises(CommandError, match="private key"):
        call_command("tenant_restore", str(path))
    stranger = tmp_path / "stranger.key"
    subprocess.run(["age-keygen", "-o", str(stranger)], check=True, capture_output=True)  # noqa: S603, S607
    with translation.override("en"), pytest.raises(CommandError, match="could not be decrypted"):
        call_command("tenant_restore", str(path), identity=str(stranger))
    assert not Tenant.objects.filter(slug="drill").exists()
    call_command("tenant_restore", str(path), identity=str(export_key))
    restored = Tenant.objects.get(slug="drill")
    with schema_context(restored.schema_name):
        assert Invoice.objects.count() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drill.sql.age", "keys", "stranger.key"]
