"""Benchmark: the office's case inbox with 100,000 cases.

Two tenants in one run: the reference holds 1,000 cases, the measured one 100,000 (10,000
customers, five kinds, about a fifth of the cases open, the rest answered or closed, many
rated). For each, the inbox's first page through the full stack (a verified member of staff's
session), median of 50 requests, with its SQL statements; the search by a reference; and a
customer's case list through the API. The ratio big/reference shows how the page scales.

Usage: python bench/correspondence.py [--no-write]; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_cases")

from bench.common import scaled, scratch_database, write_section  # noqa: E402

PASSWORD = "Bench-1234!x"  # noqa: S105 - a benchmark account's password
STATUSES = (
    ["closed"] * 60 + ["answered"] * 18 + ["new"] * 10 + ["in_progress"] * 7 + ["waiting"] * 5
)


def _tenant(slug: str, customers: int, cases: int):
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from billing.importing import import_text
    from billing.models import Customer, Premises
    from correspondence.models import Case, CaseCounter
    from identity.services import user_create
    from tenants.services import tenant_create

    connection.set_schema_to_public()
    tenant = tenant_create(name=f"Sprawy {slug}", slug=slug, preset_code="E")
    rng = random.Random(cases)  # noqa: S311 - invented benchmark data
    with tenant_context(tenant):
        import_text(
            "customers",
            "erp_id;symbol;kind;name;email\n"
            + "".join(
                f"K{i};W{i:07d};individual;Klient {i};k{i}@example.com\n" for i in range(customers)
            ),
        )
        import_text(
            "premises",
            "erp_id;kind;street;building_no;flat_no;city\n"
            + "".join(
                f"M{i};residential;Długa;{i // 100};{i % 100};Bench\n" for i in range(customers)
            ),
        )
        import_text(
            "legal-titles",
            "erp_id;customer_erp_id;premises_erp_id;valid_from\n"
            + "".join(f"T{i};K{i};M{i};2010-01-01\n" for i in range(customers)),
        )
        customer_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
        premises_ids = list(Premises.objects.order_by("pk").values_list("pk", flat=True))
        kinds = [("failure", "AW"), ("water_quality", "JW"), ("complaint", "REK")]
        kinds += [("data_change", "ZD"), ("question", "PYT")]
        numbers = dict.fromkeys((p for _k, p in kinds), 0)
        today = timezone.localdate()
        now = timezone.now()
        batch = []
        for n in range(cases):
            kind, prefix = kinds[n % len(kinds)]
            numbers[prefix] += 1
            status = rng.choice(STATUSES)
            who = n % customers
            batch.append(
                Case(
                    reference=f"{prefix}/{today.year}/{numbers[prefix]:06d}",
                    kind=kind,
                    customer_id=customer_ids[who],
                    premises_id=premises_ids[who],
                    subject=f"Sprawa {n}",
                    status=status,
                    due_on=today + timedelta(days=rng.randint(-20, 20)),
                    text_digest=f"{n:064d}",
                    contact_email=f"k{who}@example.com",
                    rating=rng.randint(1, 5) if status == "closed" and n % 3 else None,
                    answered_at=now if status in ("answered", "closed") else None,
                    closed_at=now if status == "closed" else None,
                )
            )
            if len(batch) == 5000:
                Case.objects.bulk_create(batch)
                batch = []
        Case.objects.bulk_create(batch)
        CaseCounter.objects.bulk_create(
            [CaseCounter(prefix=p, year=today.year, last=v) for p, v in numbers.items()]
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum keeps a live database
        staff = user_create(login="obsluga", password=PASSWORD, role="customer_service")
        customer = user_create(login="W0000001", password=PASSWORD)
        from billing.services import customer_account_attach

        customer_account_attach(customer_ids=[customer_ids[1]], user=customer)
    return tenant, staff, customer


def _measure(tenant, staff, customer) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from identity.tests.conftest import login_verified_staff

    host = f"{tenant.slug}.localhost"
    client = Client()
    with tenant_context(tenant):
        login_verified_staff(client, host, staff, PASSWORD)
        reference = tenant.configuration  # warm the tenant's configuration
        from correspondence.models import Case

        references = Case.objects.order_by("-status").values_list("reference", flat=True)
        reference = references.filter(status="new").first() or references.first()

    def median_ms(
        path: str, data: dict | None = None, who=client, runs: int = scaled(50, 3)
    ) -> float:
        who.get(path, data or {}, HTTP_HOST=host)  # warm
        times = []
        for _ in range(runs):
            started = time.perf_counter_ns()
            response = who.get(path, data or {}, HTTP_HOST=host)
            times.append((time.perf_counter_ns() - started) / 1e6)
        assert response.status_code == 200, (path, response.status_code)
        return statistics.median(times)

    out = {"inbox_ms": median_ms("/office/cases/")}
    with CaptureQueriesContext(connection) as queries:
        client.get("/office/cases/", HTTP_HOST=host)
    out["inbox_statements"] = len(queries.captured_queries)
    out["overdue_ms"] = median_ms("/office/cases/", {"status": "overdue"})
    out["search_ms"] = median_ms("/office/cases/", {"q": reference})
    api = Client()
    with tenant_context(tenant):
        api.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    out["api_ms"] = median_ms("/api/v1/tickets", who=api)
    return out


def main() -> None:
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    small = _measure(*_tenant("small", scaled(1_000, 20), scaled(1_000, 20)))
    big = _measure(
        *_tenant(
            "big", scaled(10_000, 50), int(os.environ.get("BENCH_CASES", scaled(100_000, 100)))
        )
    )
    rows = [
        ("the inbox's first page (open cases, new and overdue first)", "inbox_ms"),
        ("the overdue queue", "overdue_ms"),
        ("search by a case's reference", "search_ms"),
        ("a customer's cases through the API", "api_ms"),
    ]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores); full "
        "stack, median of 50 requests.",
        "",
        "| page | 1,000 cases (reference) | 100,000 cases | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label, key in rows:
        lines.append(
            f"| {label} | {small[key]:.1f} ms | {big[key]:.1f} ms | {big[key] / small[key]:.2f} |"
        )
    lines.append(
        f"| SQL statements of the inbox's first page | {small['inbox_statements']} | "
        f"{big['inbox_statements']} | |"
    )
    table = "\n".join(lines)
    print(table)
    if "--no-write" not in sys.argv:
        write_section(
            "correspondence", table, "## The office's case inbox\n\n`bench/correspondence.py`."
        )


if __name__ == "__main__":
    main()
