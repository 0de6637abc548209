"""Secrets the server must read back (TOTP keys) are encrypted at rest with Fernet
(AES-128-CBC with HMAC-SHA256, from ``cryptography``) under keys from the environment.

``TOTP_ENCRYPTION_KEYS`` is a comma-separated list of Fernet keys, newest first: new secrets are
sealed with the first, any of them opens an old one. Rotation: put a new key first, run
``manage.py totp_rekey`` (every schema), then drop the old key (docs/operations.md). Production
refuses to start without the setting; development and tests derive a key from ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "register_sealed", "reseal", "seal", "sealed_fields", "unseal"]

# Other apps' sealed columns ("app_label.Model", field), re-sealed by ``totp_rekey`` too.
_SEALED: list[tuple[str, str]] = [("identity.SealedTOTPDevice", "sealed_key")]


def register_sealed(model: str, field: str) -> None:
    """An app above keeps a secret sealed in ``model.field`` (in its AppConfig.ready())."""
    if (model, field) not in _SEALED:
        _SEALED.append((model, field))


def sealed_fields() -> list[tuple[str, str]]:
    return list(_SEALED)


def _configured_keys() -> tuple[str, ...]:
    keys = tuple(k for k in getattr(settings, "TOTP_ENCRYPTION_KEYS", ()) if k)
    if keys:
        return keys
    derived = hashlib.sha256(f"ebok-totp-sealing:{settings.SECRET_KEY}".encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _cipher(_configured_keys())


def seal(secret: bytes) -> str:
    return _current().encrypt(secret).decode()


def unseal(sealed: str) -> bytes:
    """The secret; raises InvalidToken when no configured key opens it."""
    return _current().decrypt(sealed.encode())


def reseal(sealed: str) -> str:
    """The same secret sealed with the newest key (for rotation)."""
    return _current().rotate(sealed.encode()).decode()
