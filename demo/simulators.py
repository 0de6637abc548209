"""``python -m demo.simulators PORT [ACCOUNTS]``: every outside service's simulator on one port
(their paths do not meet), loopback only: the three payment gateways and SMSAPI.pl, with the
demo tenants' accounts from ACCOUNTS (``{slug: {"przelewy24": …, "payu": […], "autopay": …,
"smsapi": {"token", "username"}}}``, as the demo loader writes it)."""

from __future__ import annotations

import json
import os
import sys

import django

# The simulators count SMS parts and sign notifications with the apps' own code, which needs
# Django's settings (no database).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebok.settings.dev")
django.setup()

from core.simulators import Server  # noqa: E402 - after django.setup()
from notifications.simulators import smsapi  # noqa: E402
from payments.simulators import autopay, payu, przelewy24  # noqa: E402


def serve(port: int, accounts_file: str | None) -> None:
    server = Server(port)
    p24, pu, ap = (
        przelewy24.Simulator(server=server),
        payu.Simulator(server=server),
        autopay.Simulator(server=server),
    )
    sms = smsapi.Simulator(server=server)
    accounts: dict = {}
    if accounts_file:
        try:
            with open(accounts_file) as stream:
                accounts = json.load(stream)
        except FileNotFoundError:
            accounts = {}
    for tenant in accounts.values():
        if "przelewy24" in tenant:
            p24.add_merchant(**tenant["przelewy24"])
        for pos in tenant.get("payu", []):
            pu.add_point_of_sale(**pos)
        if "autopay" in tenant:
            ap.add_service(**tenant["autopay"])
        if "smsapi" in tenant:
            sms.add_account(**tenant["smsapi"])
    print(f"Payment gateway and SMS simulators on {server.base_url}", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    serve(
        int(sys.argv[1]) if len(sys.argv) > 1 else 8301, sys.argv[2] if len(sys.argv) > 2 else None
    )
