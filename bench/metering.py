"""Benchmark: meter readings at scale.

1. Import: readings streamed from a CSV file on disk through the ERP import (the readings spec),
   first 100,000 then 1,000,000 rows, each in a fresh process so that its peak memory (max RSS)
   is its own: flat in file size means the 1,000,000-row run needs about what the 100,000-row
   run needs. A second pass over the 100,000 rows must change nothing.
2. A reading's submission through the API (the full stack): the SQL statements it takes.
3. The consumption chart of a meter with 10 years of monthly readings: the selector and the
   meter page's chart geometry, median of 200 runs.

Usage: python bench/metering.py [--no-write]; results go to docs/benchmarks.md.
Internal: python bench/metering.py --import-rows N (one import run, prints JSON).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_metering")

from bench.common import QUICK, in_fresh_process, scaled, scratch_database, write_section  # noqa: E402

METERS = scaled(10_000, 100)
RUNS = scaled(200, 5)


def _setup():
    import django

    django.setup()
    from django.core.management import call_command

    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    return tenant_create(name="Liczniki", slug="meters", preset_code="D")


def _meters() -> None:
    """10,000 flats with a water meter each, through the import."""
    from billing.importing import import_text

    import_text(
        "premises",
        "erp_id;kind;street;building_no;flat_no;city\n"
        + "".join(f"M{i};residential;Długa;{i // 100};{i % 100};Bench\n" for i in range(METERS)),
    )
    import_text(
        "meters",
        "erp_id;serial_number;kind;premises_erp_id\n"
        + "".join(f"W{i};S{i};cold_water;M{i}\n" for i in range(METERS)),
    )


def _readings_file(rows: int, path: Path) -> None:
    """``rows`` readings: every meter read once a day at 06:00 UTC, oldest first."""
    start = datetime(2020, 1, 1, 6, tzinfo=UTC)
    with path.open("w") as out:
        out.write("erp_id;meter_erp_id;read_at;value\n")
        for i in range(rows):
            meter, day = i % METERS, i // METERS
            moment = (start + timedelta(days=day)).isoformat()
            out.write(f"R{i};W{meter};{moment};{day * 0.125:.3f}\n")


def import_run(rows: int) -> dict:
    """One import of ``rows`` readings in this process (a fresh database); max RSS included."""
    scratch_database(os.environ["BENCH_DB"])
    tenant = _setup()
    from django_tenants.utils import schema_context

    from billing.importing import ENTITIES, iter_rows, run_import

    with schema_context(tenant.schema_name):
        _meters()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "readings.csv"
            _readings_file(rows, path)
            size = path.stat().st_size
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            out = {"rows": rows, "megabytes": round(size / 1e6, 1), "rss_before_kb": before}
            for label in ("first", "again"):
                with path.open() as stream:
                    started = time.perf_counter()
                    result = run_import(ENTITIES["readings"], iter_rows(stream))
                    elapsed = time.perf_counter() - started
                assert not result.errors, result.errors[:3]
                out[label] = {
                    "seconds": round(elapsed, 2),
                    "rows_per_second": round(rows / elapsed),
                    "created": result.created,
                    "unchanged": result.unchanged,
                }
                if rows > 200_000:
                    break  # the big file is imported once: its memory is what is measured
            out["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return out


def _in_process(rows: int) -> dict:
    return in_fresh_process(__file__, "--import-rows", str(rows))


def page_figures() -> tuple[int, float, float, float]:
    """(statements of one submission, chart selector ms, chart geometry ms, meter page ms)."""
    scratch_database(os.environ["BENCH_DB"])
    tenant = _setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from billing.importing import import_text
    from billing.models import Customer
    from billing.services import customer_account_attach
    from identity.services import user_create
    from metering import selectors
    from metering.models import Meter, ReadingWindow
    from metering.views import _chart

    with schema_context(tenant.schema_name):
        import_text("customers", "erp_id;symbol;kind;name\nK1;100001;individual;Jan Bench\n")
        import_text(
            "premises", "erp_id;kind;street;building_no;flat_no;city\nM1;residential;Krótka;1;1;B\n"
        )
        import_text(
            "legal-titles",
            "erp_id;customer_erp_id;premises_erp_id;valid_from\nT1;K1;M1;2010-01-01\n",
        )
        import_text("meters", "erp_id;serial_number;kind;premises_erp_id\nW1;S1;cold_water;M1\n")
        today = timezone.localdate()
        rows = ["erp_id;meter_erp_id;read_at;value"]
        for month in range(120, 0, -1):
            day = (today.replace(day=1) - timedelta(days=30 * month)).replace(day=20)
            rows.append(f"R{month};W1;{day.isoformat()};{(121 - month) * 3}.000")
        import_text("readings", "\n".join(rows) + "\n")
        ReadingWindow.objects.create(name="b", opens_on=today, closes_on=today)
        user = user_create(login="100001", password="Bench-1234!")
        customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=user)
        meter = Meter.objects.get(erp_id="W1")
        selector_ms, chart_ms = [], []
        for _ in range(RUNS):
            started = time.perf_counter_ns()
            months = selectors.monthly_use(actor=user, meter=meter, months=120)
            selector_ms.append((time.perf_counter_ns() - started) / 1e6)
            started = time.perf_counter_ns()
            _chart(months)
            chart_ms.append((time.perf_counter_ns() - started) / 1e6)
    client = Client()
    with schema_context(tenant.schema_name):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/api/v1/meters", HTTP_HOST="meters.localhost")
    page_ms = []
    for _ in range(max(2, RUNS // 4)):
        started = time.perf_counter_ns()
        page = client.get(f"/meters/{meter.pk}/", HTTP_HOST="meters.localhost")
        page_ms.append((time.perf_counter_ns() - started) / 1e6)
    assert page.status_code == 200, page.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/api/v1/meters/{meter.pk}/readings",
            {"value": "361", "confirm": True},
            content_type="application/json",
            HTTP_HOST="meters.localhost",
        )
    assert response.status_code == 201, response.content
    app = [q for q in queries.captured_queries if "metering_" in q["sql"] or "billing_" in q["sql"]]
    return (
        len(app),
        statistics.median(selector_ms),
        statistics.median(chart_ms),
        statistics.median(page_ms),
    )


def main() -> None:
    if "--import-rows" in sys.argv:
        print(json.dumps(import_run(int(sys.argv[sys.argv.index("--import-rows") + 1]))))
        return
    small = _in_process(scaled(100_000, 1000))
    big = small if QUICK else _in_process(int(os.environ.get("BENCH_READINGS", 1_000_000)))
    statements, selector_ms, chart_ms, page_ms = page_figures()
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores).",
            "",
            "| readings import (CSV streamed from disk) | file | time | rows/s | peak memory (max RSS) |",
            "|---|---:|---:|---:|---:|",
            f"| {small['rows']:,} rows, first import | {small['megabytes']} MB | "
            f"{small['first']['seconds']} s | {small['first']['rows_per_second']:,} | "
            f"{small['max_rss_kb'] // 1024} MB |",
            f"| {small['rows']:,} rows again (nothing changes: {small['again']['unchanged']:,} "
            f"unchanged) | | {small['again']['seconds']} s | "
            f"{small['again']['rows_per_second']:,} | |",
            f"| {big['rows']:,} rows, first import | {big['megabytes']} MB | "
            f"{big['first']['seconds']} s | {big['first']['rows_per_second']:,} | "
            f"{big['max_rss_kb'] // 1024} MB |",
            "",
            "| a reading and its chart | value |",
            "|---|---:|",
            f"| SQL statements of one submission (API, full stack) | {statements} |",
            f"| consumption by month, 10 years of monthly readings (selector) | {selector_ms:.1f} ms |",
            f"| the chart's geometry for the page | {chart_ms:.2f} ms |",
            f"| the whole meter page with that chart (full stack, median of 50) | {page_ms:.1f} ms |",
        ]
    )
    print(table)
    if "--no-write" not in sys.argv:
        write_section("metering", table, "## Meter readings\n\n`bench/metering.py`.")


if __name__ == "__main__":
    main()
