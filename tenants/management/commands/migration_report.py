"""Every schema's migration state against the migrations on disk (SECURITY.md T8).

After a deploy's ``migrate_schemas`` was interrupted (a killed job, a lost pod), run it again,
then this: one line per schema, ``complete`` or what it still lacks; exit status 1 while any
schema is behind, so a deploy pipeline can wait for it.
"""

from __future__ import annotations

from django.apps import apps as registry
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Tenant


def expected_migrations(*, public: bool) -> list[tuple[str, str]]:
    """The migrations a schema of this kind must have applied, in the order a run applies them:
    every node of the apps that live there (shared apps in public, tenant apps in tenants')."""

    names = set(settings.SHARED_APPS if public else settings.TENANT_APPS)
    apps = {config.label for config in registry.get_app_configs() if config.name in names}
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    order: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(leaf):
            if key[0] in apps and key not in order:
                order.append(key)
    return order


def schema_state(schema_name: str, expected: list[tuple[str, str]]) -> list[str]:
    """The expected migrations this schema lacks, in the order a rerun applies them (empty when
    complete)."""
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT app, name FROM django_migrations"
            if _has_migration_table(cursor)
            else "SELECT NULL, NULL WHERE false"
        )
        applied = set(cursor.fetchall())
    return [f"{app}.{name}" for app, name in expected if (app, name) not in applied]


def _has_migration_table(cursor) -> bool:
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    return cursor.fetchone()[0]


class Command(BaseCommand):
    help = "Report each schema's migration state; exit 1 while any schema is behind."

    def handle(self, *args, **options) -> None:
        public = get_public_schema_name()
        expected = {
            True: expected_migrations(public=True),
            False: expected_migrations(public=False),
        }
        behind = 0
        schemas = Tenant.objects.order_by("schema_name").values_list("schema_name", flat=True)
        for schema in schemas:
            missing = schema_state(schema, expected[schema == public])
            if missing:
                behind += 1
                self.stdout.write(f"{schema}: behind, lacks {', '.join(missing)}")
            else:
                self.stdout.write(f"{schema}: complete")
        self.stdout.write(f"{len(schemas)} schemas, {behind} behind")
        if behind:
            raise SystemExit(1)
