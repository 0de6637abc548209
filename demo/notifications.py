"""Demo SMS accounts: where a demo tenant offers SMS and a simulator is configured
(development), it has an SMSAPI account at the simulator, enabled, with a token of its own
written to the simulators' file (beside the payment merchants). A customer who adds a mobile
number and chooses SMS gets them there."""

from __future__ import annotations

import json
import secrets

from django.conf import settings

from notifications.models import SmsAccount
from notifications.services import sms_account_save
from tenants.policies import Channel


def load_demo_sms(*, slug: str, config) -> bool:
    """The tenant's demo SMS account at the simulator (once; again after the file was lost).
    Returns whether it was made."""
    url = getattr(settings, "PAYMENT_SIMULATOR_URL", "")
    if not url or not config.notifications.offers(Channel.SMS):
        return False
    path = settings.PAYMENT_SIMULATOR_MERCHANTS
    known = json.loads(path.read_text()) if path.exists() else {}
    if "smsapi" in known.get(slug, {}) and SmsAccount.objects.filter(enabled=True).exists():
        return False
    token = secrets.token_urlsafe(24)
    sms_account_save(actor=None, token=token, base_url=url, enabled=True, check=False)
    known.setdefault(slug, {})["smsapi"] = {"token": token, "username": slug}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=1))
    return True
