"""Benchmark: the deploy's tenant migrations at 1,000 tenants (``manage.py migrate_tenants``).

A scratch database gets 1,000 tenants (from the schema template, as signups make them). Then:

1. nothing to apply: ``migrate_tenants`` (every schema recorded at the code's migrations: one
   query) against django-tenants' ``migrate_schemas --tenant`` on a sample of schemas (the
   reference: Django's ``migrate`` per schema);
2. one added column: every schema is put back before billing's last migration (an added column)
   and recorded as an older state, then ``migrate_tenants`` applies it everywhere (the plan's SQL
   made once, replayed per schema in parallel); the reference runs ``migrate_schemas`` on a sample
   put back the same way;
3. afterwards every schema is checked against the migrations on disk (``migration_report``).

Figures per schema are the total divided by the schemas; the reference's are its own per-schema
median. Usage: python bench/migrations.py [--no-write] (``make bench`` runs it).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_migrations")

from bench.common import scaled, scratch_database, write_section  # noqa: E402

TENANTS = scaled(1000, 6)
SAMPLE = scaled(10, 2)  # schemas the reference migrates
LAST = ("billing", "0014_invoice_kod2")


def _put_back(schemas: list[str]) -> None:
    """Each schema as it was before billing's last migration, recorded as an older state."""
    from django.db import connection

    from tenants.models import Tenant

    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'ALTER TABLE "{schema}".billing_invoice DROP COLUMN kod2_url')
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', LAST
            )
    Tenant.objects.filter(schema_name__in=schemas).update(migrations_fingerprint="older")


def _reference(schemas: list[str]) -> float:
    """django-tenants' migrate_schemas, one schema at a time: the median seconds per schema."""
    from django.core.management import call_command
    from django.db import connection

    from tenants.template import migrations_fingerprint

    times = []
    for schema in schemas:
        started = time.perf_counter()
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
        times.append(time.perf_counter() - started)
        connection.set_schema_to_public()
    from tenants.models import Tenant

    Tenant.objects.filter(schema_name__in=schemas).update(
        migrations_fingerprint=migrations_fingerprint()
    )
    return statistics.median(times)


def main() -> None:
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tenants.migrator import migrate_tenants
    from tenants.models import Tenant
    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    started = time.perf_counter()
    for n in range(TENANTS):
        tenant_create(name=f"Spółdzielnia {n}", slug=f"t{n:05d}", kind="housing_cooperative")
        connection.set_schema_to_public()
    created = time.perf_counter() - started
    schemas = list(
        Tenant.objects.exclude(schema_name="public")
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    workers = os.cpu_count() or 1

    idle = migrate_tenants(workers=workers)
    assert idle.count("current") == len(schemas), idle.outcomes[:3]
    idle_reference = _reference(schemas[:SAMPLE])

    _put_back(schemas)
    column = migrate_tenants(workers=workers)
    assert column.count("migrated") == len(schemas), [o for o in column.outcomes if o.error][:3]
    assert all(o.how == "sql" for o in column.outcomes)
    _put_back(schemas[:SAMPLE])
    column_reference = _reference(schemas[:SAMPLE])

    out = io.StringIO()
    with redirect_stdout(out):
        call_command("migration_report", stdout=out)  # exits 1 while any schema is behind
    assert f"{len(schemas) + 1} schemas, 0 behind" in out.getvalue(), out.getvalue()[-500:]

    per_idle = idle.seconds / len(schemas) * 1000
    per_column = column.seconds / len(schemas) * 1000
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine ({workers} cores, "
            f"{workers} workers); {len(schemas):,} tenant schemas in one database (made from the "
            f"template in {created:.0f} s).",
            "",
            "| deploy | `migrate_tenants`, all schemas | per schema | `migrate_schemas` per "
            "schema (reference, median of "
            f"{SAMPLE}) | ratio |",
            "|---|---:|---:|---:|---:|",
            f"| nothing to apply | {idle.seconds:.2f} s | {per_idle:.2f} ms | "
            f"{idle_reference * 1000:.0f} ms | {idle_reference * 1000 / per_idle:,.0f}× |",
            f"| one added column (billing's last migration) | {column.seconds:.2f} s | "
            f"{per_column:.1f} ms | {column_reference * 1000:.0f} ms | "
            f"{column_reference * 1000 / per_column:,.0f}× |",
            "",
            "Afterwards `migration_report` finds every schema complete.",
        ]
    )
    print(table)
    if "--no-write" not in sys.argv:
        write_section(
            "migrations",
            table,
            "## Tenant migrations at a thousand tenants\n\n`bench/migrations.py`. "
            "`migrate_tenants` finds the schemas behind the code in one query (each tenant records "
            "the fingerprint of the migrations its schema is at), makes a plan's SQL once per "
            "state and replays it per schema in one transaction with its records, in parallel.",
        )


if __name__ == "__main__":
    main()
