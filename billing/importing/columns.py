"""The pieces an entity of the ERP import is described with: column parsers, references and
the entity spec; row errors kept untranslated (``Text``) so each reader sees their language."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import field as default_of
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from stdnum.pl import nip as stdnum_nip

from billing.errors import RowCode
from identity import pesel


class Text:
    """A message kept untranslated with its values, so that it is read in each reader's
    language: an import's row errors are shown to whoever opens the job, not in the language
    of whoever uploaded the file. ``str()`` gives it in the active language."""

    def __init__(self, msgid: str, **params):
        self.msgid, self.params = msgid, params

    def __str__(self) -> str:
        return _(self.msgid) % self.params if self.params else _(self.msgid)

    def as_stored(self) -> dict:
        """JSON with the values as they are (numbers stay numbers for ``%(n)d``)."""
        return {
            "text": self.msgid,
            "params": {
                k: v if isinstance(v, int | float) and not isinstance(v, bool) else str(v)
                for k, v in self.params.items()
            },
        }


# One row of a file as read: column name -> the text in it, or a Text saying why the row could
# not be read at all (key "__error__").
Row = dict[str, "str | Text"]


def stored_text(error: dict) -> str:
    """A stored row error in the active language (older rows kept only their words)."""
    if "text" in error:
        return str(Text(error["text"], **(error.get("params") or {})))
    return str(error.get("detail", ""))


class RowError(Exception):
    def __init__(self, field: str | None, code: str, detail: str | Text):
        super().__init__(detail)
        self.field, self.code, self.detail = field, code, detail


# --- column parsers -----------------------------------------------------------------------------
# Each parser says what it takes (``format``, for people and the OpenAPI document) and gives an
# example value (for the sample files of the office's help page).


def described(parse, format: str | Text, example: str):  # noqa: A002 - the column's format
    parse.format, parse.example = format, example
    return parse


def in_bulk(parse, many: Callable[[list[str]], list | None]):
    """Gives ``parse`` a form for a whole column of a batch at once: ``many(values)`` takes
    values none of which is blank and returns what ``parse`` would return for each, when every
    one is in the form it vouches for (checked in C: one regular expression over the column
    joined, built-in conversions mapped over it), or None, and the column is parsed value by
    value (with each value's own error). Most files are all in the usual form, so most columns
    of a big import cost no Python per value."""
    parse.many = many
    return parse


def _matches_all(pattern: re.Pattern, values: list[str]) -> bool:
    """Every value matches ``pattern`` (which matches lines): the column as one text, a line a
    value, so that a value holding a line break is refused rather than read as two."""
    lines = "\n".join(values) + "\n"
    return lines.count("\n") == len(values) and pattern.fullmatch(lines) is not None


def column_format(parse) -> str:
    return str(getattr(parse, "format", ""))


def column_example(parse) -> str:
    return str(getattr(parse, "example", ""))


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip()
        if len(value) > max_length:
            raise RowError(
                None,
                RowCode.TOO_LONG,
                Text(gettext_noop("At most %(n)d characters."), n=max_length),
            )
        return value

    def many(values: list[str]) -> list[str] | None:
        stripped = list(map(str.strip, values))
        return stripped if max(map(len, stripped), default=0) <= max_length else None

    return described(
        in_bulk(parse, many),
        Text(gettext_noop("text, at most %(n)d characters"), n=max_length),
        "Tekst",
    )


def _decimal(value: str, code: str, message: str) -> Decimal:
    """A number as ERPs write it (spaces as thousands separators, a decimal comma), or the
    row's error ``code``."""
    cleaned = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation as exc:
        raise RowError(None, code, Text(message, v=value)) from exc
    if not number.is_finite():
        raise RowError(None, code, Text(message, v=value))
    return number


_NOT_AN_AMOUNT = gettext_noop("Not an amount: %(v)s.")
_CENT = Decimal("0.01")
_TOO_MUCH = Decimal("1e12")


def money(value: str) -> Decimal:
    amount = _decimal(value, RowCode.INVALID_AMOUNT, _NOT_AN_AMOUNT)
    cents = amount.quantize(_CENT)
    if amount != cents or abs(amount) >= _TOO_MUCH:
        raise RowError(None, RowCode.INVALID_AMOUNT, Text(_NOT_AN_AMOUNT, v=value))
    return cents


# Amounts as most files write them: at most 12 digits before a decimal point, at most 2 after.
_PLAIN_AMOUNTS = re.compile(r"(?:-?[0-9]{1,12}(?:\.[0-9]{1,2})?\n)*")


def _amounts(values: list[str]) -> list[Decimal] | None:
    if not _matches_all(_PLAIN_AMOUNTS, values):
        return None
    return list(map(Decimal.quantize, map(Decimal, values), itertools.repeat(_CENT)))


in_bulk(money, _amounts)


def day(value: str) -> date:
    value = value.strip()
    if len(value) == 10 and value[4] == "-" and value[7] == "-":  # YYYY-MM-DD, the usual one
        year, month, dom = value[:4], value[5:7], value[8:]
        if year.isdecimal() and month.isdecimal() and dom.isdecimal():
            try:
                return date(int(year), int(month), int(dom))
            except ValueError:
                pass  # the error below names the value
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value) or re.fullmatch(
        r"(\d{2})\.(\d{2})\.(\d{4})", value
    )
    try:
        if match is None:
            raise ValueError
        parts = match.groups()
        return (
            date(*map(int, parts))
            if len(parts[0]) == 4
            else date(int(parts[2]), int(parts[1]), int(parts[0]))
        )
    except ValueError as exc:
        raise RowError(
            None,
            RowCode.INVALID_DATE,
            Text(gettext_noop("Not a date (YYYY-MM-DD or DD.MM.YYYY): %(v)s."), v=value),
        ) from exc


_ISO_DAYS = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}\n)*")


def _days(values: list[str]) -> list[date] | None:
    stripped = list(map(str.strip, values))
    if not _matches_all(_ISO_DAYS, stripped):
        return None
    try:
        return list(map(date.fromisoformat, stripped))
    except ValueError:  # 2026-02-30: the value's own error says so
        return None


in_bulk(day, _days)


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip()
        if value not in allowed:
            raise RowError(
                None,
                RowCode.INVALID_CHOICE,
                Text(gettext_noop("One of: %(allowed)s."), allowed=", ".join(allowed)),
            )
        return value

    def many(values: list[str]) -> list[str] | None:
        stripped = list(map(str.strip, values))
        return stripped if set(stripped).issubset(allowed) else None

    return described(
        in_bulk(parse, many),
        Text(gettext_noop("one of: %(allowed)s"), allowed=", ".join(allowed)),
        allowed[0],
    )


def digits(length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(rf"\d{{{length}}}", value):
            raise RowError(
                None, RowCode.INVALID_NUMBER, Text(gettext_noop("Exactly %(n)d digits."), n=length)
            )
        return value

    return described(parse, Text(gettext_noop("exactly %(n)d digits"), n=length), "1" * length)


def postcode(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"\d{2}-\d{3}", value):
        raise RowError(
            None, RowCode.INVALID_POSTCODE, Text(gettext_noop("A postcode is written 00-000."))
        )
    return value


def email(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise RowError(None, RowCode.INVALID_EMAIL, Text(gettext_noop("Not an e-mail address.")))
    return value


def nip(value: str) -> str:

    compact = stdnum_nip.compact(value)
    if not stdnum_nip.is_valid(compact):
        raise RowError(
            None, RowCode.INVALID_NIP, Text(gettext_noop("The NIP number is not valid."))
        )
    return compact


def pesel_number(value: str) -> str:
    compact = re.sub(r"\s", "", value)
    if not pesel.is_valid(compact):
        raise RowError(
            None, RowCode.INVALID_PESEL, Text(gettext_noop("The PESEL number is not valid."))
        )
    return compact


def area(value: str) -> Decimal:
    amount = money(value)
    if amount <= 0:
        raise RowError(
            None, RowCode.INVALID_AREA, Text(gettext_noop("The area must be more than zero."))
        )
    return amount


THOUSANDTH = Decimal("0.001")


def quantity(value: str) -> Decimal:
    """A meter's count: not negative, at most three decimals (``12,345`` is accepted too)."""
    amount = _decimal(value, RowCode.INVALID_NUMBER, gettext_noop("Not a number: %(v)s."))
    if amount < 0 or amount >= Decimal("1e11"):
        raise RowError(
            None, RowCode.INVALID_NUMBER, Text(gettext_noop("Not a number: %(v)s."), v=value)
        )
    rounded = amount.quantize(THOUSANDTH)
    if amount != rounded:
        raise RowError(
            None,
            RowCode.INVALID_NUMBER,
            Text(gettext_noop("At most three decimals: %(v)s."), v=value),
        )
    return rounded


def moment(value: str) -> datetime:
    """A point in time: ISO 8601 with a zone (``2026-03-01T10:00:00Z``), or a local time or day
    (``2026-03-01 10:00``, ``2026-03-01``) read in the tenant's time zone."""
    value = value.strip()
    parsed = None
    if len(value) > 10:
        try:  # the common ISO 8601 forms, parsed in C
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = parse_datetime(value.replace(" ", "T", 1))
    if parsed is None:
        try:
            parsed = datetime.combine(day(value), time.min)
        except RowError as exc:
            raise RowError(
                None,
                RowCode.INVALID_DATE,
                Text(gettext_noop("Not a date and time (ISO 8601): %(v)s."), v=value),
            ) from exc
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed)
    return parsed


def flag(value: str) -> bool:
    """Yes or no, as ERPs write it (1/0, true/false, tak/nie, yes/no)."""
    lowered = value.strip().casefold()
    if lowered in {"1", "true", "t", "tak", "yes", "y"}:
        return True
    if lowered in {"0", "false", "f", "nie", "no", "n"}:
        return False
    raise RowError(None, RowCode.INVALID_CHOICE, Text(gettext_noop("One of: 1, 0.")))


def whole(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        value = value.strip()
        if not re.fullmatch(r"\d+", value) or not low <= int(value) <= high:
            raise RowError(
                None,
                RowCode.INVALID_NUMBER,
                Text(gettext_noop("A whole number from %(low)d to %(high)d."), low=low, high=high),
            )
        return int(value)

    return described(
        parse,
        Text(gettext_noop("a whole number from %(low)d to %(high)d"), low=low, high=high),
        str(low),
    )


def _at_most(value: str, places: int, code: str, not_it: str, too_fine: str) -> Decimal:
    """A number with at most ``places`` decimals (and 16 digits before them), else the row's
    error ``code``: ``not_it`` when it is no number, ``too_fine`` when it has more decimals."""
    amount = _decimal(value, code, not_it)
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step) or abs(amount) >= Decimal("1e16"):
        raise RowError(None, code, Text(too_fine, v=value))
    return amount.quantize(step)


def price(value: str) -> Decimal:
    """A unit price: at most eight decimals, as FA(3) allows (an energy tariff's 0,61234 zł/kWh)."""
    return _at_most(
        value,
        8,
        RowCode.INVALID_AMOUNT,
        gettext_noop("Not an amount: %(v)s."),
        gettext_noop("At most eight decimals: %(v)s."),
    )


def line_quantity(value: str) -> Decimal:
    """An invoice line's quantity: at most six decimals, as FA(3) allows."""
    return _at_most(
        value,
        6,
        RowCode.INVALID_NUMBER,
        gettext_noop("Not a number: %(v)s."),
        gettext_noop("At most six decimals: %(v)s."),
    )


def sha256_hex(value: str) -> str:
    value = value.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise RowError(
            None,
            RowCode.INVALID_HASH,
            Text(gettext_noop("A SHA-256 digest: 64 hexadecimal digits.")),
        )
    return value


for _parse, _format, _example in (
    (money, gettext_noop("an amount, e.g. 1234.56 or 1 234,56"), "123.45"),
    (day, gettext_noop("a date, YYYY-MM-DD or DD.MM.YYYY"), "2026-01-31"),
    (postcode, gettext_noop("a postcode, 00-000"), "00-950"),
    (email, gettext_noop("an e-mail address"), "jan.kowalski@example.com"),
    (nip, gettext_noop("a NIP number (10 digits)"), "5260250274"),
    (pesel_number, gettext_noop("a PESEL number (stored only as a keyed hash)"), "44051401359"),
    (area, gettext_noop("an area in m², more than zero"), "48.50"),
    (quantity, gettext_noop("a count, not negative, at most three decimals"), "123.456"),
    (moment, gettext_noop("a date and time, ISO 8601 (or local)"), "2026-01-31T08:00:00+01:00"),
    (flag, gettext_noop("yes or no: 1 or 0"), "1"),
    (price, gettext_noop("a unit price, at most eight decimals"), "12.3456"),
    (line_quantity, gettext_noop("a quantity, at most six decimals"), "12.345"),
    (
        sha256_hex,
        gettext_noop("the SHA-256 of the invoice's FA(3) XML, 64 hexadecimal digits"),
        "a" * 64,
    ),
):
    described(_parse, Text(_format), _example)


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = True
    # What an empty or absent optional column stores (None: NULL for dates and amounts, "" else).
    default: Any = None


@dataclass(frozen=True)
class Reference:
    """A column holding another record's ERP id, stored as that record's primary key."""

    column: str
    model: type[models.Model]
    field: str
    required: bool = True
    # The other record's field the column names (its ERP id, unless said otherwise) and any
    # condition that makes it one record (e.g. a meter's radio id among meters in service).
    key: str = "erp_id"
    where: dict[str, Any] = default_of(default_factory=dict)


@dataclass(frozen=True)
class EntitySpec:
    name: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    references: tuple[Reference, ...] = ()
    # Turns parsed columns into model fields (e.g. PESEL into its hash and masked form).
    transform: Callable[[dict], dict] | None = None
    # Rewrites a row as read before it is checked, for files whose shape is not the ERP's own
    # (a meter collector's JSON lines): keeps the columns the entity knows, derives the others.
    prepare: Callable[[Row], Row] | None = None
    # Its batches may be written two at a time on connections of their own (large files of
    # independent rows, such as meter readings). Not for entities whose ``after`` sums rows
    # across batches (an invoice's paid amount), which must see every batch before it.
    parallel: bool = False
    # SQL run after an upsert with the ids it touched (keeps derived values right).
    after: Callable[[list[int]], None] | None = None
    # Run before an upsert with its rows; what it returns is called after it (rows that the
    # upsert leaves, e.g. the customer a legal title moves away from, kept right too).
    before: Callable[[list[dict]], Callable[[], None] | None] | None = None
    messages: dict[str, str | Promise] = field(default_factory=dict)  # unique constraint -> message
    # Columns a row erased at its person's request keeps as erased when the ERP sends them again
    # (the row's ``erased_at`` is set): a re-sent file cannot bring an erased contact back.
    kept_erased: tuple[str, ...] = ()
