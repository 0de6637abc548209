"""New tenant schemas are replayed from a dump of a migrated template: the result must be the
same schema, object for object and name for name, as running every migration; a template made
from other migrations is never used."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connection

from tenants import template as template_module
from tenants.services import tenant_create

pytestmark = pytest.mark.django_db


def _uncast(definition: str) -> str:
    if not definition.startswith("CHECK"):
        return definition
    return re.sub(r"::[a-z ]+(\[\])?|[()\s]", "", definition)


def _describe(schema: str) -> dict:
    def norm(value):
        return re.sub(rf"\b{schema}\b", "S", str(value)) if value is not None else None

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default,"
            " is_identity, identity_generation FROM information_schema.columns"
            " WHERE table_schema = %s ORDER BY 1, 2",
            [schema],
        )
        columns = [tuple(norm(v) for v in row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
            " WHERE n.nspname = %s ORDER BY 2, 1",
            [schema],
        )
        # A CHECK's text comes back from pg_dump with its casts placed differently (the same
        # expression); compare it without casts and parentheses.
        constraints = [
            (norm(table), name, _uncast(norm(definition)))
            for table, name, definition in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1", [schema]
        )
        indexes = [tuple(norm(v) for v in row) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT app, name FROM {schema}.django_migrations ORDER BY 1, 2"  # noqa: S608
        )
        migrations = cursor.fetchall()
        cursor.execute(
            f"SELECT ct.app_label, ct.model, p.codename FROM {schema}.auth_permission p"  # noqa: S608
            f" JOIN {schema}.django_content_type ct ON ct.id = p.content_type_id ORDER BY 1, 2, 3"
        )
        permissions = cursor.fetchall()
    # Rows that data migrations may insert anywhere: every table holds as many rows in both.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_type = 'BASE TABLE' ORDER BY 1",
            [schema],
        )
        names = [row[0] for row in cursor.fetchall()]
        counts = {}
        for name in names:
            cursor.execute(f'SELECT count(*) FROM {schema}."{name}"')  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return {
        "rows": counts,
        "columns": columns,
        "constraints": constraints,
        "indexes": indexes,
        "migrations": migrations,
        "permissions": permissions,
    }


def test_a_template_exists_for_the_current_migrations(tenants):
    if template_module.pgtools.pg_dump_binary() is None and not os.environ.get("CI"):
        pytest.skip("pg_dump is not installed")
    template = template_module.current_template()
    assert template is not None
    assert template_module.PLACEHOLDER in template.sql
    assert "tenant_template" not in template.sql


def test_replayed_schema_equals_a_migrated_one(tenants, monkeypatch):
    if template_module.current_template() is None:
        pytest.skip("no template (pg_dump is not installed)")
    replayed = tenant_create(name="Z szablonu", slug="z-szablonu", kind="other")
    connection.set_schema_to_public()
    monkeypatch.setattr(template_module, "current_template", lambda: None)
    migrated = tenant_create(name="Z migracji", slug="z-migracji", kind="other")
    connection.set_schema_to_public()
    a, b = _describe(replayed.schema_name), _describe(migrated.schema_name)
    for part in a:
        assert a[part] == b[part], part
    assert len(a["columns"]) > 300
    assert a["migrations"]
    assert a["permissions"]
    # Sequences continue after the rows the migrations inserted.
    connection.set_tenant(replayed)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.create(app_label="probe", model="probe")
    connection.set_schema_to_public()


def test_a_template_of_other_migrations_is_not_used(tenants, monkeypatch):
    monkeypatch.setattr(template_module, "migrations_fingerprint", lambda: "0" * 64)
    assert template_module.current_template() is None
    tenant = tenant_create(name="Bez szablonu", slug="bez-szablonu", kind="other")
    connection.set_schema_to_public()
    assert _describe(tenant.schema_name)["migrations"]


def test_the_template_schema_name_cannot_be_a_subdomain(tenants):
    from tenants.services import slug_problem

    assert slug_problem("tenant-template").code == "slug_reserved"


def test_pg_dump_gets_the_connections_own_parameters(tenants, monkeypatch):
    """A socket directory given as ?host= (the embedded server's) reaches pg_dump, and PG*
    variables of the environment cannot point it at another server."""
    import subprocess

    from tenants import pgtools

    seen = {}
    monkeypatch.setenv("PGHOST", "elsewhere.example")
    monkeypatch.setenv("PGDATABASE", "other")
    monkeypatch.setattr(pgtools, "pg_dump_binary", lambda: "/usr/bin/pg_dump")
    monkeypatch.setattr(
        connection,
        "get_connection_params",
        lambda: {"dbname": "ebok", "user": "postgres", "host": "/run/pg-socket", "port": ""},
    )

    def fake_run(command, env, **kwargs):
        seen.update(env)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(pgtools.subprocess, "run", fake_run)
    pgtools.pg_dump("--schema-only")
    assert seen["PGHOST"] == "/run/pg-socket"
    assert seen["PGDATABASE"] == "ebok"
    assert "PGPORT" not in seen
