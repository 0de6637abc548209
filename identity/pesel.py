"""PESEL: validated by checksum, stored only as a keyed hash (for matching) and a masked form (for
display). The key is PESEL_HASH_KEY (falls back to one derived from SECRET_KEY)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from stdnum.pl import pesel as stdnum_pesel


def is_valid(value: str) -> bool:
    return stdnum_pesel.is_valid(value)


def _key() -> bytes:
    key = getattr(settings, "PESEL_HASH_KEY", "") or f"pesel:{settings.SECRET_KEY}"
    return key.encode()


def hashed(value: str) -> str:
    return hmac.new(_key(), stdnum_pesel.compact(value).encode(), hashlib.sha256).hexdigest()


def masked(value: str) -> str:
    digits = stdnum_pesel.compact(value)
    return "*" * 7 + digits[-4:]


def login_alias(value: str) -> str | None:
    """A login that is a PESEL is stored as this alias (never the number itself)."""
    compact = "".join(value.split())
    return f"pesel:{hashed(compact)[:40]}" if is_valid(compact) else None
