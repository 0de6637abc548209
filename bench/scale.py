"""Benchmark: a thousand tenants in one database: provisioning, the deploy's migrations
(``manage.py migrate_tenants``) and one tenant's export and restore.

A scratch database gets 1,000 tenants (from the schema template, as signups make them; the first
holds a demo ledger). Each creation is timed: p50/p90 of ``tenant_create`` with about 10, 300 and
1,000 tenants already present. Then:

1. nothing to apply: ``migrate_tenants`` (every schema recorded at the code's migrations: one
   query) against django-tenants' ``migrate_schemas --tenant`` on a sample of schemas (the
   reference: Django's ``migrate`` per schema);
2. a real migration: every schema is put back before billing's last migration (one added
   nullable column) and recorded as an older state, then ``migrate_tenants`` applies it everywhere (the plan's SQL
   made once, replayed per schema in parallel); the reference runs ``migrate_schemas`` on a sample
   put back the same way;
3. afterwards every schema is checked against the migrations on disk (``migration_report``);
4. the first tenant is exported (``tenant_export``: the template's DDL and a COPY per table)
   against ``pg_dump --schema`` of the same schema (the reference), deleted, restored from the file
   (``tenant_restore``: every table's rows and checksum checked) and its portal asked for a page.

Figures per schema are the total divided by the schemas; the reference's are its own per-schema
median. Usage: python bench/scale.py [--no-write] (``make bench`` runs it).
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
os.environ.setdefault("BENCH_DB", "ebok_bench_scale")

from bench.common import ledger_profile, scaled, scratch_database, write_section  # noqa: E402

TENANTS = scaled(1000, 6)
SAMPLE = scaled(10, 2)  # schemas the reference migrates
# Provisioning windows: creations with this many tenants present, WIDTH creations each.
WINDOWS, WIDTH = (scaled(10, 0), scaled(300, 2), TENANTS - scaled(20, 2)), scaled(20, 2)
LEDGER_CUSTOMERS, LEDGER_MONTHS = scaled(1000, 10), scaled(24, 2)
# Billing's last migration: one added nullable column (the goal's measure).
LAST = [("billing", "0016_customer_erased")]


def _put_back(schemas: list[str]) -> None:
    """Each schema as it was before billing's last migration, recorded as an older state."""
    from django.db import connection

    from tenants.models import Tenant

    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'ALTER TABLE "{schema}".billing_customer DROP COLUMN erased_at')
            for app, name in LAST:
                cursor.execute(
                    f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
                    [app, name],
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


def _ledger(schema: str) -> int:
    """A demo ledger in ``schema`` (customers, premises, charges, invoices, payments...)."""

    from django_tenants.utils import schema_context

    from billing.importing import import_text
    from demo.ledger import demo_files
    from demo.portals import LEDGER_ENTITIES

    profile = ledger_profile()
    rows = 0
    with schema_context(schema):
        files = demo_files(
            profile=profile,
            customers=LEDGER_CUSTOMERS,
            months=LEDGER_MONTHS,
            first=("Jan Bench", "100001"),
            seed=7,
        )
        for entity in LEDGER_ENTITIES:
            rows += files[entity].count("\n") - 1
            import_text(entity, files[entity])
    return rows


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def _export_and_restore(slug: str) -> dict:
    """Export ``slug``, time pg_dump of its schema as the reference, delete, restore, check."""
    import tempfile

    from django.db import connection
    from django.test import Client

    from tenants import backup, pgtools
    from tenants.models import Tenant
    from tenants.provisioning import tenant_delete, tenant_export, tenant_restore

    folder = Path(tempfile.mkdtemp(prefix="ebok-bench-"))
    tenant = Tenant.objects.get(slug=slug)
    started = time.perf_counter()
    path = tenant_export(tenant=tenant, actor="bench", target=folder / f"{slug}.sql")
    export = time.perf_counter() - started
    manifest = backup.read_manifest(path)
    assert manifest["ddl"] == "template", manifest["ddl"]
    started = time.perf_counter()
    reference = pgtools.pg_dump("--schema", tenant.schema_name, "--file", str(folder / "ref.sql"))
    pg_dump = time.perf_counter() - started
    assert reference.returncode == 0, reference.stderr[-300:]
    tenant_delete(tenant=tenant, confirmation=slug, actor="bench")
    started = time.perf_counter()
    tenant_restore(source=path, actor="bench")
    restore = time.perf_counter() - started
    connection.set_schema_to_public()
    status = Client().get("/login/", HTTP_HOST=f"{slug}.localhost").status_code
    assert status == 200, status
    return {
        "export": export,
        "pg_dump": pg_dump,
        "restore": restore,
        "rows": sum(t["rows"] for t in manifest["tables"]),
        "tables": len(manifest["tables"]),
        "bytes": path.stat().st_size,
    }


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
    creations = []
    for n in range(TENANTS):
        began = time.perf_counter()
        tenant_create(name=f"Spółdzielnia {n}", slug=f"t{n:05d}", kind="housing_cooperative")
        creations.append(time.perf_counter() - began)
        connection.set_schema_to_public()
        if n == 0:
            _ledger("t00000")
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

    drill = _export_and_restore("t00000")

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
            f"| one added nullable column (billing's last migration) | {column.seconds:.2f} s | "
            f"{per_column:.1f} ms | {column_reference * 1000:.0f} ms | "
            f"{column_reference * 1000 / per_column:,.0f}× |",
            "",
            "Afterwards `migration_report` finds every schema complete.",
        ]
    )
    provisioning = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine: `tenant_create` (schema from "
            "the template, host, preset) timed for each of the "
            f"{len(schemas):,} tenants as the database filled up.",
            "",
            "| tenants already present | creations timed | p50 | p90 |",
            "|---:|---:|---:|---:|",
            *(
                "| {:,} | {} | {:.0f} ms | {:.0f} ms |".format(
                    start,
                    WIDTH,
                    *(1000 * v for v in _percentiles(creations[start : start + WIDTH])),
                )
                for start in WINDOWS
            ),
        ]
    )
    export = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine, {len(schemas):,} tenant "
            f"schemas present; the tenant holds a demo ledger ({drill['rows']:,} rows in "
            f"{drill['tables']} tables, a {drill['bytes'] / 1e6:.1f} MB file).",
            "",
            "| one tenant | time | reference: `pg_dump --schema` | ratio |",
            "|---|---:|---:|---:|",
            f"| export (`tenant_export`) | {drill['export']:.2f} s | {drill['pg_dump']:.2f} s | "
            f"{drill['pg_dump'] / drill['export']:.1f}× |",
            f"| restore after deletion (`tenant_restore`, every table checked) | "
            f"{drill['restore']:.2f} s | | |",
            "",
            "The restored portal answered its login page (200).",
        ]
    )
    print(provisioning)
    print(export)
    print(table)
    if "--no-write" not in sys.argv:
        write_section(
            "provisioning-scale",
            provisioning,
            "## Provisioning with a thousand tenants present\n\n`bench/scale.py`. The schema "
            "template's replay costs the same whether 10 or 1,000 schemas exist.",
        )
        write_section(
            "export",
            export,
            "## One tenant's export and restore at a thousand tenants\n\n`bench/scale.py`. "
            "`pg_dump --schema` reads the catalogue of every schema; `tenant_export` writes the "
            "template's DDL and one `COPY` per table in one snapshot, and `tenant_restore` "
            "replays it and checks every table's rows and checksum.",
        )
        write_section(
            "migrations",
            table,
            "## Tenant migrations at a thousand tenants\n\n`bench/scale.py`. "
            "`migrate_tenants` finds the schemas behind the code in one query (each tenant records "
            "the fingerprint of the migrations its schema is at), makes a plan's SQL once per "
            "state and replays it per schema in one transaction with its records, in parallel.",
        )


if __name__ == "__main__":
    main()
