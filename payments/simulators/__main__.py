"""``python -m payments.simulators PORT [MERCHANTS]``: the three gateways' simulators on one port
(their paths do not meet), loopback only, with the demo's merchant accounts from MERCHANTS
(``{slug: {"przelewy24": {…}, "payu": {…}, "autopay": {…}}}``, as demo.payments writes it)."""

from __future__ import annotations

import json
import sys

from payments.simulators import autopay, payu, przelewy24
from payments.simulators.base import Server


def serve(port: int, merchants_file: str | None) -> None:
    server = Server(port)
    p24, pu, ap = (
        przelewy24.Simulator(server=server),
        payu.Simulator(server=server),
        autopay.Simulator(server=server),
    )
    merchants: dict = {}
    if merchants_file:
        try:
            with open(merchants_file) as stream:
                merchants = json.load(stream)
        except FileNotFoundError:
            merchants = {}
    for accounts in merchants.values():
        if "przelewy24" in accounts:
            p24.add_merchant(**accounts["przelewy24"])
        for pos in accounts.get("payu", []):
            pu.add_point_of_sale(**pos)
        if "autopay" in accounts:
            ap.add_service(**accounts["autopay"])
    print(f"Payment gateway simulators on {server.base_url}", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    serve(
        int(sys.argv[1]) if len(sys.argv) > 1 else 8301, sys.argv[2] if len(sys.argv) > 2 else None
    )
