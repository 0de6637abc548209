"""Benchmark: ERP import throughput and the customer dashboard at demo volumes.

1. Import: 5,000 customers, then 100,000 invoices streamed from a CSV file on disk (first import,
   then the same file again, which must change nothing), through billing.importing like the API
   and the back-office; the reference is PostgreSQL's own COPY of the same rows into the same
   table (references already resolved, nothing checked) in the same run. Each file size runs in
   a fresh process, so its peak memory is its own: 100,000 and 400,000 rows.
2. Dashboard: a tenant with 2,000 customers and two years of monthly charges, invoices and
   payments (the demo generator); the demo customer's dashboard is requested through Django's
   full stack (test client, session), timed and its SQL statements counted.

Usage: python bench/billing.py [--no-write]; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_billing")

from bench.common import in_fresh_process, ledger_profile, scaled, scratch_database, write_section  # noqa: E402

CUSTOMERS, INVOICES = scaled(5000, 50), scaled(100_000, 500)
SIZES = (INVOICES, scaled(400_000, 2000))
DEMO_CUSTOMERS, MONTHS, REQUESTS = scaled(2000, 20), scaled(24, 3), scaled(200, 5)


def _invoice_file(rows: int, path: Path) -> None:
    with path.open("w") as out:
        out.write("erp_id;number;customer_erp_id;issue_date;due_date;gross\n")
        for i in range(rows):
            month = i % 12 + 1
            out.write(
                f"F{i};FV/{i:07d};K{i % CUSTOMERS};2026-{month:02d}-01;2026-{month:02d}-20;"
                f"{100 + i % 900}.{i % 100:02d}\n"
            )


def _copy_reference(path: Path) -> float:
    """PostgreSQL's own COPY of the file's rows into the invoice table (emptied first): the
    customers' ids already resolved and the text already in COPY's format, outside the timing."""
    from django.db import connection, transaction

    from billing.models import Customer, Invoice

    ids = dict(Customer.objects.values_list("erp_id", "pk"))
    fields = {f.attname: f for f in Invoice._meta.concrete_fields if not f.primary_key}
    given = ["erp_id", "number", "customer_id", "issue_date", "due_date", "gross"]
    rest = [a for a, f in fields.items() if a not in given and (f.has_default() or not f.null)]
    fixed = "\t".join(str(fields[a].get_default()) for a in rest)
    buffer = []
    with path.open() as stream:
        next(stream)
        for line in stream:
            erp, number, customer, issued, due, gross = line.rstrip("\n").split(";")
            buffer.append(f"{erp}\t{number}\t{ids[customer]}\t{issued}\t{due}\t{gross}\t{fixed}\n")
    data = "".join(buffer).encode()
    del buffer
    columns = ", ".join(given + rest)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE billing_invoice CASCADE")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY billing_invoice ({columns}) FROM STDIN") as copy:
            copy.write(data)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE billing_invoice CASCADE")
    return elapsed


def import_run(rows: int) -> dict:
    """``rows`` invoices from a file on disk: the import twice (the second time nothing
    changes), its peak memory (max RSS), then the COPY reference into the emptied table."""
    os.environ["BENCH_DB"] += "_import"
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from billing.importing import ENTITIES, import_text, iter_rows, run_import
    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    tenant = tenant_create(name="Import", slug="imports", preset_code="E")
    out: dict = {"rows": rows}
    with schema_context(tenant.schema_name), tempfile.TemporaryDirectory() as folder:
        import_text(
            "customers",
            "erp_id;symbol;kind;name\n"
            + "".join(f"K{i};S{i:07d};individual;Klient {i}\n" for i in range(CUSTOMERS)),
        )
        path = Path(folder) / "invoices.csv"
        _invoice_file(rows, path)
        out["megabytes"] = round(path.stat().st_size / 1e6, 1)
        out["rss_before_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for label in ("first", "again"):
            with path.open() as stream:
                started = time.perf_counter()
                result = run_import(ENTITIES["invoices"], iter_rows(stream))
                elapsed = time.perf_counter() - started
            assert not result.errors, result.errors[:3]
            out[label] = {
                "seconds": elapsed,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        # The import's peak, before the reference builds its COPY text in memory.
        out["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["copy_seconds"] = _copy_reference(path)
    return out


def _in_process(rows: int) -> dict:
    return in_fresh_process(__file__, "--import-rows", str(rows))


def _import_lines(f: dict) -> list[str]:
    rows, copy = f["rows"], f["copy_seconds"]
    first, again = f["first"], f["again"]
    return [
        f"| {rows:,} invoices ({f['megabytes']} MB), PostgreSQL's COPY (reference) | "
        f"{copy:.2f} s | {rows / copy:,.0f} rows/s | | |",
        f"| {rows:,} invoices, import, first | {first['seconds']:.2f} s | "
        f"{rows / first['seconds']:,.0f} rows/s ({copy / first['seconds']:.2f}× COPY) | "
        f"created {first['created']:,} | {f['max_rss_kb'] / 1024:.0f} MB |",
        f"| {rows:,} invoices, import again (unchanged) | {again['seconds']:.2f} s | "
        f"{rows / again['seconds']:,.0f} rows/s | unchanged {again['unchanged']:,} | |",
    ]


def main() -> None:
    if "--import-rows" in sys.argv:  # one file size, in a process of its own (see _in_process)
        print(json.dumps(import_run(int(sys.argv[sys.argv.index("--import-rows") + 1]))))
        return
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from billing.importing import import_text
    from billing.models import Customer
    from billing.services import customer_account_attach
    from demo.ledger import demo_files
    from demo.portals import LEDGER_ENTITIES
    from identity.services import user_create
    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    dash = tenant_create(name="Dashboard", slug="dash", preset_code="B")
    lines = []
    for rows in SIZES:
        figures = _in_process(rows)
        lines += _import_lines(figures)

    profile = ledger_profile()
    with schema_context(dash.schema_name):
        files = demo_files(
            profile=profile,
            customers=DEMO_CUSTOMERS,
            months=MONTHS,
            first=("Jan Bench", "100001"),
            seed=7,
        )
        started = time.perf_counter()
        total_rows = 0
        for entity in LEDGER_ENTITIES:
            total_rows += files[entity].count("\n") - 1
            import_text(entity, files[entity])
        demo_seconds = time.perf_counter() - started
        user = user_create(login="100001", password="Bench-1234!")
        customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K0").pk], user=user)

    client = Client()
    with schema_context(dash.schema_name):  # the user and the session live in the tenant's schema
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    for _ in range(max(2, REQUESTS // 10)):
        client.get("/", HTTP_HOST="dash.localhost")
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter_ns()
        response = client.get("/", HTTP_HOST="dash.localhost")
        timings.append((time.perf_counter_ns() - started) / 1e6)
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get("/", HTTP_HOST="dash.localhost")
    timings.sort()
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores).",
            "",
            "| what | time | throughput | result | peak memory (max RSS) |",
            "|---|---:|---:|---|---:|",
            *lines,
            f"| one demo tenant: {total_rows:,} rows of 11 kinds | {demo_seconds:.2f} s | "
            f"{total_rows / demo_seconds:,.0f} rows/s | {DEMO_CUSTOMERS:,} customers, "
            f"{MONTHS} months | |",
            "",
            f"| customer dashboard ({DEMO_CUSTOMERS:,} customers, {MONTHS} months, "
            f"{REQUESTS} requests) | value |",
            "|---|---:|",
            f"| median | {statistics.median(timings):.1f} ms |",
            f"| p90 | {timings[int(len(timings) * 0.9)]:.1f} ms |",
            f"| SQL statements per request | {len(queries.captured_queries)} |",
        ]
    )
    print(table)
    if "--no-write" not in sys.argv:
        write_section(
            "billing", table, "## ERP import and the customer dashboard\n\n`bench/billing.py`."
        )


if __name__ == "__main__":
    main()
