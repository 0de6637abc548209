"""KSeF, the national e-invoice system: its invoice numbers and the verification code ("KOD I")
every copy of a KSeF invoice given outside KSeF must carry.

- A KSeF number is 35 characters, ``NNNNNNNNNN-YYYYMMDD-XXXXXXXXXXXX-CC``: the seller's NIP, the
  day KSeF accepted the invoice, a technical part in upper-case hex, and a CRC-8 (polynomial
  0x07, initial 0, no reflection) over the first 32 characters, as two upper-case hex digits
  (the Ministry of Finance's ``ksef-docs``, ``faktury/numer-ksef.md``; its example
  ``5265877635-20250826-0100001AF629-AF``).
- KOD I is the link ``{host}/invoice/{seller NIP}/{issue date DD-MM-YYYY}/{SHA-256 of the
  invoice's XML, base64url without padding}`` as a QR code, labelled with the KSeF number, or
  ``OFFLINE`` while an invoice issued offline waits for KSeF (``ksef-docs``, ``kody-qr.md``).
- KOD II, on an invoice issued offline, is the link ``{host}/certificate/{context type}/{context}/
  {seller NIP}/{certificate serial}/{invoice hash}/{signature}``, signed with the issuer's KSeF
  offline certificate, labelled ``CERTYFIKAT``. Only the issuer's system holds that key, so the
  ERP sends the link; the e-BOK checks its form, its seller and that it names this invoice's hash.
"""

from __future__ import annotations

import base64
import re
from datetime import date

from django.conf import settings
from django.utils.translation import gettext_noop

from billing.errors import RowCode
from billing.importing.columns import RowError, Text, described

KSEF_NUMBER = re.compile(r"^(\d{10})-(\d{4})(\d{2})(\d{2})-([0-9A-F]{12})-([0-9A-F]{2})$")
OFFLINE = "OFFLINE"
CERTIFICATE = "CERTYFIKAT"
KOD2_PATH = re.compile(
    r"^/certificate/(Nip|InternalId|NipVatUe|PeppolId)/([^/]{1,64})/(\d{10})/([0-9A-F]{1,40})/"
    r"([A-Za-z0-9_-]{43})/([A-Za-z0-9_-]{40,1400})$"
)


def crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def checksum(first_32: str) -> str:
    return f"{crc8(first_32.encode('ascii')):02X}"


def ksef_number_problem(value: str) -> str | None:
    """What is wrong with a KSeF number (None: nothing)."""
    if len(value) != 35:
        return gettext_noop("A KSeF number has 35 characters.")
    match = KSEF_NUMBER.match(value)
    if match is None:
        return gettext_noop("A KSeF number is written NIP-YYYYMMDD-XXXXXXXXXXXX-CC.")
    try:
        date(int(match[2]), int(match[3]), int(match[4]))
    except ValueError:
        return gettext_noop("The date in the KSeF number does not exist.")
    if checksum(value[:32]) != match[6]:
        return gettext_noop("The KSeF number's check digits do not match: a character is wrong.")
    return None


def ksef_number(value: str) -> str:
    """The import's parser: a valid KSeF number (upper case), else the row's error."""
    value = value.strip().upper()
    problem = ksef_number_problem(value)
    if problem:
        raise RowError(None, RowCode.INVALID_KSEF_NUMBER, Text(problem))
    return value


described(
    ksef_number,
    Text(gettext_noop("a KSeF number, 35 characters, its check digits right")),
    "5265877635-20250826-0100001AF629-AF",
)


def kod2_problem(url: str, *, seller_nip: str = "", sha256_hex: str = "") -> Text | None:
    """What is wrong with a KOD II link (None: nothing); the seller and the hash are checked when
    given."""
    host = settings.KSEF_QR_URL
    if not url.startswith(f"{host}/certificate/"):
        return Text(gettext_noop("KOD II is a link to %(host)s/certificate/…"), host=host)
    match = KOD2_PATH.match(url[len(host) :])
    if match is None:
        return Text(
            gettext_noop(
                "KOD II is written /certificate/{context type}/{context}/{seller's NIP}/"
                "{certificate serial number}/{invoice hash}/{signature}."
            )
        )
    if seller_nip and match[3] != seller_nip:
        return Text(gettext_noop("KOD II names another seller (NIP %(nip)s)."), nip=match[3])
    if sha256_hex and match[5] != _b64url(sha256_hex):
        return Text(gettext_noop("KOD II is of another invoice: its hash is not this XML's."))
    return None


def kod2_link(value: str) -> str:
    """The import's parser: a KOD II link of the right form, else the row's error."""
    value = value.strip()
    problem = kod2_problem(value)
    if problem:
        raise RowError(None, RowCode.INVALID_KOD2, problem)
    return value


described(
    kod2_link,
    Text(gettext_noop("the KOD II link of an invoice issued offline, as the issuer signed it")),
    "https://qr.ksef.mf.gov.pl/certificate/Nip/5265877635/5265877635/01F20A5D352AE590/"
    "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE/" + "A" * 86,
)


def _b64url(sha256_hex: str) -> str:
    return base64.urlsafe_b64encode(bytes.fromhex(sha256_hex)).decode().rstrip("=")


def kod1_url(*, seller_nip: str, issue_date: date, sha256_hex: str) -> str:
    """The verification link of KOD I (``settings.KSEF_QR_URL``: KSeF's production host, or
    its test host)."""
    digest = _b64url(sha256_hex)
    return f"{settings.KSEF_QR_URL}/invoice/{seller_nip}/{issue_date:%d-%m-%Y}/{digest}"


def kod1_label(invoice) -> str:
    """What is printed under KOD I: the KSeF number, or OFFLINE until KSeF has accepted it."""
    return invoice.ksef_number or OFFLINE
