"""The Polish bank-transfer QR code: the ZBP "2D" recommendation (2013), read by Polish banks'
mobile apps. Fields are joined by ``|``:

    NIP | country | account (26 digits) | amount in grosze (at least 6 digits) | recipient (20)
        | title (32) | reserved (20) | reserved (12) | reserved (24)

Only letters (Polish ones included), digits, space and ``, . / \\ - @ # & * _`` are allowed.
"""

from __future__ import annotations

import re
from decimal import Decimal

_DISALLOWED = re.compile(r"[^A-Za-z0-9 ,./\\\-@#&*_ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")


def _field(value: str, length: int) -> str:
    return _DISALLOWED.sub("", value or "").strip()[:length]


def zbp_2d_payload(*, nip: str, account: str, amount: Decimal, recipient: str, title: str) -> str:
    digits = re.sub(r"\D", "", account)
    if len(digits) != 26:
        raise ValueError("the account number must have 26 digits")
    grosze = int((amount * 100).quantize(Decimal("1")))
    if grosze < 0:
        raise ValueError("the amount must not be negative")
    parts = [
        _field(re.sub(r"\D", "", nip), 10),
        "PL",
        digits,
        f"{grosze:06d}",
        _field(recipient, 20),
        _field(title, 32),
        "",
        "",
        "",
    ]
    return "|".join(parts)


def format_account(account: str) -> str:
    """``12 3456 7890 …`` as printed on Polish documents."""
    digits = re.sub(r"\D", "", account)
    return " ".join([digits[:2], *[digits[i : i + 4] for i in range(2, len(digits), 4)]])
