"""Benchmark: handling a gateway's notification, full stack.

A tenant takes payments through its Przelewy24, PayU and Autopay accounts at the local simulators
(over HTTP on loopback). For each of 200 payments per gateway the notification is posted to the
tenant's notify URL and timed: the signature checked (Przelewy24's sign, PayU's
OpenPayu-Signature, Autopay's ITN parsed and hashed), Przelewy24's ``transaction/verify`` called
over HTTP, the payment booked under its lock, the receipt put in the outbox. The reference in the
same run is the same notification posted again (booked before). p50 and p95 of each.

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

from bench.common import scaled, scratch_database, write_section  # noqa: E402

PAYMENTS = scaled(200, 5)
MERCHANT = {"merchant_id": 300300, "api_key": "bench-key", "crc": "bench-crc"}
POS = {"pos_id": 300301, "client_id": "300301", "client_secret": "bench", "second_key": "k2"}
SERVICE = {"service_id": 300302, "shared_key": "bench-shared"}


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
    from payments.simulators import autopay, payu, przelewy24
    from payments.simulators.base import Server
    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    tenant = tenant_create(name="Płatności", slug="pays", preset_code="E")
    server = Server().start()
    p24 = przelewy24.Simulator(server=server)
    p24.add_merchant(**MERCHANT)
    pu = payu.Simulator(server=server)
    pu.add_point_of_sale(**POS, algorithm="SHA-256")
    ap = autopay.Simulator(server=server)
    ap.add_service(**SERVICE, itn_url="/api/v1/payments/notify/autopay")
    client = Client()
    timings = {g: ([], []) for g in ("przelewy24", "payu", "autopay")}
    with tenant_context(tenant):
        import_text("customers", "erp_id;symbol;kind;name;email\nK1;W1;individual;Jan;j@x.pl\n")
        user = user_create(login="W1", password="Bench-1234!x", email="j@x.pl")
        customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=user)
        gateway_account_save(
            gateway="przelewy24",
            merchant_id=MERCHANT["merchant_id"],
            secrets={"api_key": MERCHANT["api_key"], "crc": MERCHANT["crc"]},
            base_url=server.base_url,
        )
        gateway_account_save(
            gateway="payu",
            merchant_id=POS["pos_id"],
            options={"algorithm": "SHA-256"},
            secrets={k: POS[k] for k in ("client_id", "client_secret", "second_key")},
            base_url=server.base_url,
        )
        gateway_account_save(
            gateway="autopay",
            merchant_id=SERVICE["service_id"],
            options={"algorithm": "sha256"},
            secrets={"shared_key": SERVICE["shared_key"]},
            base_url=server.base_url,
        )
        started = {
            g: [payment_start(actor=user, amount="12.34", gateway=g)[0] for _ in range(PAYMENTS)]
            for g in timings
        }

    def deliveries(gateway, payment):
        """The notification's path, body, content type and headers, as the gateway posts it."""
        if gateway == "przelewy24":
            p24.pay(payment.token, times=0)  # paid; the notification is posted below
            body = json.dumps(p24.notification_body(payment.token))
            return f"/api/v1/payments/notify/przelewy24/{payment.public_id}", body, {}
        if gateway == "payu":
            pu.orders[payment.token].status = "COMPLETED"
            raw, headers = pu.notification(payment.token)
            extra = {"HTTP_OPENPAYU_SIGNATURE": headers["OpenPayu-Signature"]}
            return f"/api/v1/payments/notify/payu/{payment.public_id}", raw, extra
        order = payment.public_id.hex
        ap.transactions[(SERVICE["service_id"], order)] = autopay.Transaction(
            service=ap.services[SERVICE["service_id"]],
            fields={"OrderID": order, "Amount": "12.34", "Currency": "PLN"},
            remote_id=f"R{payment.pk}",
            status="SUCCESS",
        )
        body = "transactions=" + ap.itn_form(SERVICE["service_id"], order)["transactions"]
        return "/api/v1/payments/notify/autopay", body, {"content_type": "x-www-form-urlencoded"}

    for n, (gateway, (first, again)) in enumerate(timings.items()):
        # Each gateway notifies from its own address (its 400 posts within the throttle's 600).
        address = f"192.0.2.{n + 1}"
        for payment in started[gateway]:
            path, body, extra = deliveries(gateway, payment)
            kind = extra.pop("content_type", "json")
            for series in (first, again):
                began = time.perf_counter_ns()
                response = client.post(
                    path,
                    body,
                    content_type=f"application/{kind}",
                    HTTP_HOST="pays.localhost",
                    REMOTE_ADDR=address,
                    **extra,
                )
                series.append((time.perf_counter_ns() - began) / 1e6)
                assert response.status_code == 200, (gateway, response.status_code)
                assert b"NOTCONFIRMED" not in response.content, gateway
    server.stop()
    rows = {
        "przelewy24": "Przelewy24 (sign, verify over HTTP, booking, receipt)",
        "payu": "PayU (OpenPayu-Signature, booking, receipt)",
        "autopay": "Autopay (ITN XML parsed and hashed, booking, receipt, confirmation)",
    }
    table = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores); "
            f"{PAYMENTS} payments per gateway, full stack, the simulators over HTTP on loopback.",
            "",
            "| notification | booked p50 | booked p95 | again (reference) p50 | again p95 |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {rows[g]} | {statistics.median(f):.1f} ms | {_p95(f):.1f} ms | "
                f"{statistics.median(a):.1f} ms | {_p95(a):.1f} ms |"
                for g, (f, a) in timings.items()
            ),
        ]
    )
    print(table)
    if "--no-write" not in sys.argv:
        write_section("payments", table, "## Payment notifications\n\n`bench/payments.py`.")


if __name__ == "__main__":
    main()
