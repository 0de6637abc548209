"""Backup codes: made of an alphabet without look-alikes, stored as salted SHA-256 (each carries
60 random bits, so a slow hash would add only latency) and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

BACKUP_CODE_COUNT = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_LENGTH = 12


def new_codes(count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Fresh codes, undecorated (``shown`` adds the dashes a person reads)."""
    return ["".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH)) for _ in range(count)]


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalised(typed: object) -> str:
    """What a person typed, as stored: no spaces or dashes, upper case."""
    return "".join(str(typed).split()).upper().replace("-", "")


def hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def backup_code_matches(code: str, stored: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return hmac.compare_digest(hash_code(code, salt), stored)
