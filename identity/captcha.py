"""Captchas served by the platform itself (no third-party calls).

Digit positions (preset B): a random string of digits and two positions to type back. It is
plain text, so screen readers handle it. The challenge travels as a signed, time-limited token
(so it works for pages and the stateless API alike) and holds only a salted hash of the answer;
a used token is remembered until it expires, so it cannot be replayed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

SALT = "ebok.captcha"
MAX_AGE = 15 * 60


@dataclass(frozen=True)
class Challenge:
    token: str
    prompt: str
    kind: str


def _digest(answer: str, nonce: str) -> str:
    return hashlib.sha256(f"{nonce}:{answer.strip()}".encode()).hexdigest()


def digit_positions() -> Challenge:
    digits = "".join(secrets.choice("0123456789") for _ in range(8))
    first, second = sorted(secrets.SystemRandom().sample(range(1, 9), 2))
    answer = digits[first - 1] + digits[second - 1]
    nonce = secrets.token_hex(8)
    token = signing.dumps(
        {"k": "digit_positions", "n": nonce, "h": _digest(answer, nonce)}, salt=SALT
    )
    spaced = " ".join(digits)
    prompt = _("Type the digits at positions %(first)d and %(second)d of: %(digits)s") % {
        "first": first,
        "second": second,
        "digits": spaced,
    }
    return Challenge(token=token, prompt=prompt, kind="digit_positions")


def new_challenge(kind: str) -> Challenge | None:
    return digit_positions() if kind == "digit_positions" else None


def verify(token: str, answer: str) -> bool:
    """True once for the right answer to an unexpired challenge."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    answer = "".join((answer or "").split())
    if not answer or _digest(answer, data["n"]) != data["h"]:
        return False
    return cache.add(f"captcha-used:{data['n']}", 1, timeout=MAX_AGE)  # False when replayed
