"""Benchmark: handling a gateway's notification, full stack.

A tenant takes payments through its Przelewy24 account at the local simulator (over HTTP on
loopback). For each of 200 payments the notification is posted to the tenant's notify URL and
timed: the sign checked, ``transaction/verify`` called over HTTP, the payment booked under its
lock, the receipt put in the outbox. The reference in the same run is the same notification
posted again (booked before: no verify call). p50 and p95 of each.

Usage: python bench/payments.py [--no-write]; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_payments")

from bench.common import scratch_database, write_section  # noqa: E402

PAYMENTS = 200
MERCHANT = {"merchant_id": 300300, "api_key": "bench-key", "crc": "bench-crc"}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_tenants.utils import tenant_context

    from billing.importing import import_text
    from billing.models import Customer
    from billing.services import customer_account_attach
    from identity.services import user_create
    from payments.services import gateway_account_save, payment_start
    from payments.simulators.przelewy24 import Simulator
    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    tenant = tenant_create(name="Płatności", slug="pays", preset_code="E")
    simulator = Simulator().start()
    simulator.add_merchant(**MERCHANT)
    client = Client()
    first, again = [], []
    with tenant_context(tenant):
        import_text("customers", "erp_id;symbol;kind;name;email\nK1;W1;individual;Jan;j@x.pl\n")
        user = user_create(login="W1", password="Bench-1234!x", email="j@x.pl")
        customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=user)
        gateway_account_save(
            gateway="przelewy24",
            merchant_id=MERCHANT["merchant_id"],
            pos_id=MERCHANT["merchant_id"],
            secrets={"api_key": MERCHANT["api_key"], "crc": MERCHANT["crc"]},
            base_url=simulator.base_url,
        )
        payments = [payment_start(actor=user, amount="12.34")[0] for _ in range(PAYMENTS)]
    for payment in payments:
        simulator.pay(payment.token, times=0)  # paid; the notification is posted below
        body = json.dumps(simulator.notification_body(payment.token))
        path = f"/api/v1/payments/notify/przelewy24/{payment.public_id}"
        for timings in (first, again):
            started = time.perf_counter_ns()
            response = client.post(
                path, body, content_type="application/json", HTTP_HOST="pays.localhost"
            )
            timings.append((time.perf_counter_ns() - started) / 1e6)
            assert response.status_code == 200, response.status_code
    simulator.stop()
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores); "
            f"{PAYMENTS} payments, full stack, the gateway simulator over HTTP on loopback.",
            "",
            "| notification | p50 | p95 |",
            "|---|---:|---:|",
            f"| booked (sign, verify over HTTP, booking, receipt) | "
            f"{statistics.median(first):.1f} ms | {_p95(first):.1f} ms |",
            f"| the same again (booked before: reference) | "
            f"{statistics.median(again):.1f} ms | {_p95(again):.1f} ms |",
        ]
    )
    print(table)
    if "--no-write" not in sys.argv:
        write_section("payments", table, "## Payment notifications\n\n`bench/payments.py`.")


if __name__ == "__main__":
    main()
