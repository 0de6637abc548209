"""Demo merchant accounts: where a demo tenant takes online payments and a payment simulator is
configured (development), it has an account with each gateway at the simulator (Przelewy24,
PayU with a point of sale for BLIK codes, Autopay), all enabled so the customer chooses, with
keys of its own written to the simulator's merchants file."""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.urls import reverse

from payments.models import Gateway, GatewayAccount
from payments.services import gateway_account_save
from tenants.policies import Module


def _key(n: int = 16) -> str:
    return secrets.token_hex(n)


def load_demo_payments(*, slug: str, number: int, config) -> bool:
    """The tenant's demo accounts at the simulator (once; again after the merchants file was
    lost). Returns whether they were made."""
    url = getattr(settings, "PAYMENT_SIMULATOR_URL", "")
    if not url or not config.has_module(Module.ONLINE_PAYMENTS):
        return False
    path = settings.PAYMENT_SIMULATOR_MERCHANTS
    known = json.loads(path.read_text()) if path.exists() else {}
    if slug in known and GatewayAccount.objects.count() == len(Gateway.values):
        return False
    p24 = {"merchant_id": 200_000 + number, "api_key": _key(), "crc": _key(8)}
    pos = {
        "pos_id": 300_000 + number,
        "client_id": str(300_000 + number),
        "client_secret": _key(),
        "second_key": _key(),
        "algorithm": "SHA-256",
    }
    blik = {
        **pos,
        "pos_id": 310_000 + number,
        "client_id": str(310_000 + number),
        "client_secret": _key(),
        "second_key": _key(),
        "blik_codes": True,
    }
    service = {
        "service_id": 400_000 + number,
        "shared_key": _key(),
        "algorithm": "sha256",
        "itn_url": reverse("api-payments-notify", args=[Gateway.AUTOPAY]),
    }
    common = {"sandbox": True, "base_url": url, "enabled": True}
    gateway_account_save(
        gateway=Gateway.PRZELEWY24,
        merchant_id=p24["merchant_id"],
        secrets={"api_key": p24["api_key"], "crc": p24["crc"]},
        **common,
    )
    gateway_account_save(
        gateway=Gateway.PAYU,
        merchant_id=pos["pos_id"],
        pos_id=blik["pos_id"],
        options={"algorithm": pos["algorithm"]},
        secrets={
            "client_id": pos["client_id"],
            "client_secret": pos["client_secret"],
            "second_key": pos["second_key"],
            "blik_client_id": blik["client_id"],
            "blik_client_secret": blik["client_secret"],
            "blik_second_key": blik["second_key"],
        },
        **common,
    )
    gateway_account_save(
        gateway=Gateway.AUTOPAY,
        merchant_id=service["service_id"],
        options={"algorithm": service["algorithm"]},
        secrets={"shared_key": service["shared_key"]},
        **common,
    )
    known[slug] = {
        **known.get(slug, {}),
        "przelewy24": p24,
        "payu": [pos, blik],
        "autopay": service,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=1))
    return True
