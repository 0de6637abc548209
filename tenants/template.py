"""Fast tenant creation: replay a dump of a migrated template schema instead of running every
migration.

``template_refresh`` (run by ``bootstrap_platform`` after each deploy's migrations) migrates the
schema ``tenant_template`` from scratch and stores what ``pg_dump`` says of it (the DDL, plus the
rows migrations insert: applied migrations, content types, permissions) in a ``SchemaTemplate``
row keyed by the fingerprint of the code's tenant migrations. ``tenant_create`` replays it when the
fingerprint matches the running code, and runs the migrations otherwise, so a stale template is
never used. pg_dump reproduces every object under its own name (django-tenants' clone function
does not: it renames unique constraints, see docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tenants import pgtools
from tenants.models import SchemaTemplate

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "tenant_template"
PLACEHOLDER = "__ebok_tenant_schema__"
# Rows the migrations themselves insert; every other table of a new tenant starts empty.
DATA_TABLES = ("django_migrations", "django_content_type", "auth_permission")
_SCHEMA_WORD = re.compile(rf"\b{TEMPLATE_SCHEMA}\b")
TEMPLATE_LOCK = 0x65626F6B  # pg_advisory_lock key ("ebok")


@lru_cache(maxsize=1)
def migrations_fingerprint() -> str:
    """A hash of every migration of the tenant apps (names, in graph order, and file contents):
    any added, removed or edited migration gives another fingerprint."""

    labels = {
        apps.get_app_config(name.rsplit(".", 1)[-1]).label
        for name in settings.TENANT_APPS
        if apps.is_installed(name)
    }
    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for app_label, name in sorted(loader.disk_migrations):
        if app_label not in labels:
            continue
        module = loader.disk_migrations[(app_label, name)].__module__
        spec = importlib.util.find_spec(module)
        source = Path(spec.origin).read_bytes() if spec and spec.origin else b""
        digest.update(f"{app_label}.{name}\n".encode())
        digest.update(hashlib.sha256(source).digest())
    return digest.hexdigest()


def current_template() -> SchemaTemplate | None:
    return SchemaTemplate.objects.filter(fingerprint=migrations_fingerprint()).first()


def _clean(dump: str) -> str:
    """pg_dump's script without what only psql understands or what the caller does itself."""
    kept = []
    for line in dump.splitlines():
        if (
            line.startswith(("--", "\\", "SET ", "SELECT pg_catalog.set_config("))
            or line.startswith(f"CREATE SCHEMA {TEMPLATE_SCHEMA};")
            or not line.strip()
        ):
            continue
        kept.append(line)
    return _SCHEMA_WORD.sub(PLACEHOLDER, "\n".join(kept)) + "\n"


def template_refresh(*, force: bool = False) -> SchemaTemplate | None:
    """Make the template for the current migrations (nothing to do when it exists). Returns None
    when pg_dump is not available: tenants are then created by migrations."""
    fingerprint = migrations_fingerprint()
    with connection.cursor() as cursor:
        # Two deploy jobs at once must not build the scratch schema over each other.
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
    try:
        return _refresh(fingerprint, force=force)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK])


def _refresh(fingerprint: str, *, force: bool) -> SchemaTemplate | None:
    if not force:
        existing = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
        if existing is not None:
            return existing
    if pgtools.pg_dump_binary() is None:
        logger.warning("pg_dump not found: new tenants are created by running migrations")
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {TEMPLATE_SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {TEMPLATE_SCHEMA}")
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=TEMPLATE_SCHEMA,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    ddl = pgtools.pg_dump("--schema-only", "--schema", TEMPLATE_SCHEMA, timeout=300)
    tables = [arg for table in DATA_TABLES for arg in ("--table", f"{TEMPLATE_SCHEMA}.{table}")]
    data = pgtools.pg_dump("--data-only", "--inserts", *tables, timeout=300)
    if ddl.returncode or data.returncode:
        # Not fatal: without a template, tenants are created by running the migrations.
        logger.error("pg_dump of the template failed: %s", (ddl.stderr + data.stderr)[-500:])
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {TEMPLATE_SCHEMA} CASCADE")
        return None
    template, _created = SchemaTemplate.objects.update_or_create(
        fingerprint=fingerprint, defaults={"sql": _clean(ddl.stdout) + _clean(data.stdout)}
    )
    SchemaTemplate.objects.exclude(pk=template.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {TEMPLATE_SCHEMA} CASCADE")
    return template


def schema_create_from_template(schema_name: str, template: SchemaTemplate) -> None:
    """Create ``schema_name`` with every table, index, constraint and sequence of a migrated
    tenant schema, in the current transaction."""
    if not re.fullmatch(r"[a-z0-9_]{1,63}", schema_name) or schema_name == TEMPLATE_SCHEMA:
        raise ValueError(f"invalid schema name {schema_name!r}")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema_name}")
        cursor.execute(template.sql.replace(PLACEHOLDER, schema_name))
