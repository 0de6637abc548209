"""Demo merchant accounts: where a demo tenant takes online payments and a payment simulator is
configured (development), its Przelewy24 account points at the simulator, with keys of its own
written to the simulator's merchants file."""

from __future__ import annotations

import json
import secrets

from django.conf import settings

from payments.models import Gateway, GatewayAccount
from payments.services import gateway_account_save
from tenants.policies import Module


def load_demo_payments(*, slug: str, number: int, config) -> bool:
    """The tenant's demo account at the simulator (once; again after the merchants file was
    lost). Returns whether one was made."""
    url = getattr(settings, "PAYMENT_SIMULATOR_URL", "")
    if not url or not config.has_module(Module.ONLINE_PAYMENTS):
        return False
    path = settings.PAYMENT_SIMULATOR_MERCHANTS
    known = json.loads(path.read_text()) if path.exists() else {}
    if slug in known and GatewayAccount.objects.filter(gateway=Gateway.PRZELEWY24).exists():
        return False
    merchant = {
        "merchant_id": 200_000 + number,
        "api_key": secrets.token_hex(16),
        "crc": secrets.token_hex(8),
    }
    gateway_account_save(
        gateway=Gateway.PRZELEWY24,
        merchant_id=merchant["merchant_id"],
        pos_id=merchant["merchant_id"],
        api_key=merchant["api_key"],
        crc=merchant["crc"],
        sandbox=True,
        base_url=url,
        enabled=True,
    )
    known[slug] = merchant
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=1))
    return True
