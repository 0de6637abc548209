"""Benchmark: ERP import throughput and the customer dashboard at demo volumes.

1. Import: 5,000 customers, then 100,000 invoices (first import, then the same file again, which
   must change nothing), through billing.importing like the API and the back-office.
2. Dashboard: a tenant with 2,000 customers and two years of monthly charges, invoices and
   payments (the demo generator); the demo customer's dashboard is requested through Django's
   full stack (test client, session), timed and its SQL statements counted.

Usage: python bench/billing.py [--no-write]; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_billing")

from bench.common import ledger_profile, scaled, scratch_database, write_section  # noqa: E402

CUSTOMERS, INVOICES = scaled(5000, 50), scaled(100_000, 500)
DEMO_CUSTOMERS, MONTHS, REQUESTS = scaled(2000, 20), scaled(24, 3), scaled(200, 5)


def main() -> None:
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
    imports = tenant_create(name="Import", slug="imports", preset_code="E")
    dash = tenant_create(name="Dashboard", slug="dash", preset_code="B")
    lines = []

    with schema_context(imports.schema_name):
        customers = "erp_id;symbol;kind;name\n" + "".join(
            f"K{i};S{i:07d};individual;Klient {i}\n" for i in range(CUSTOMERS)
        )
        import_text("customers", customers)
        rows = ["erp_id;number;customer_erp_id;issue_date;due_date;gross"]
        rows += [
            f"F{i};FV/{i:07d};K{i % CUSTOMERS};2026-{i % 12 + 1:02d}-01;2026-{i % 12 + 1:02d}-20;{100 + i % 900}.{i % 100:02d}"
            for i in range(INVOICES)
        ]
        payload = "\n".join(rows) + "\n"
        for label in ("first import", "re-import (unchanged)"):
            started = time.perf_counter()
            result = import_text("invoices", payload)
            elapsed = time.perf_counter() - started
            assert not result.errors, result.errors[:3]
            lines.append(
                f"| {INVOICES:,} invoices, {label} | {elapsed:.2f} s | {INVOICES / elapsed:,.0f} rows/s | "
                f"created {result.created}, updated {result.updated}, unchanged {result.unchanged} |"
            )

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
            "| what | time | throughput | result |",
            "|---|---:|---:|---|",
            *lines,
            f"| one demo tenant: {total_rows:,} rows of 11 kinds | {demo_seconds:.2f} s | "
            f"{total_rows / demo_seconds:,.0f} rows/s | {DEMO_CUSTOMERS:,} customers, "
            f"{MONTHS} months |",
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
