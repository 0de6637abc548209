"""Import of ERP data: CSV (``;`` or ``,``) or JSON lines, one entity per file.

Each row is parsed and validated on its own; references to other records are resolved by the ERP's
identifiers in one query per entity; valid rows are upserted by ``erp_id`` in batches with
``INSERT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM …``, so a row that changes nothing is
not written (a re-sent file changes nothing). A batch the database refuses (e.g. a unique number
taken by another record) is replayed row by row in savepoints so only the offending rows are
reported. A dry run does the same inside a transaction that is rolled back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import load_workbook
from stdnum.pl import nip as stdnum_nip

from billing import models
from billing.errors import BillingErrorCode, RowCode
from core.errors import ApplicationError
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

    return parse


def money(value: str) -> Decimal:
    cleaned = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise RowError(
            None, RowCode.INVALID_AMOUNT, Text(gettext_noop("Not an amount: %(v)s."), v=value)
        ) from exc
    if amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal("1e12"):
        raise RowError(
            None, RowCode.INVALID_AMOUNT, Text(gettext_noop("Not an amount: %(v)s."), v=value)
        )
    return amount.quantize(Decimal("0.01"))


def day(value: str) -> date:
    value = value.strip()
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

    return parse


def digits(length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(rf"\d{{{length}}}", value):
            raise RowError(
                None, RowCode.INVALID_NUMBER, Text(gettext_noop("Exactly %(n)d digits."), n=length)
            )
        return value

    return parse


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
    model: type
    field: str
    required: bool = True


@dataclass(frozen=True)
class EntitySpec:
    name: str
    model: type
    columns: tuple[Column, ...]
    references: tuple[Reference, ...] = ()
    # Turns parsed columns into model fields (e.g. PESEL into its hash and masked form).
    transform: Callable[[dict], dict] = lambda row: row
    # SQL run after an upsert with the ids it touched (keeps derived values right).
    after: Callable[[list[int]], None] | None = None
    messages: dict[str, str] = field(default_factory=dict)  # unique constraint -> message


def _customer_transform(row: dict) -> dict:
    number = row.pop("pesel", "")
    if number:
        row["pesel_hash"] = pesel.hashed(number)
        row["pesel_masked"] = pesel.masked(number)
    else:
        row["pesel_hash"] = row["pesel_masked"] = ""
    return row


def _first_of_month(row: dict) -> dict:
    row["period"] = row["period"].replace(day=1)
    return row


def _refresh_invoice_paid(payment_ids: list[int]) -> None:
    """Invoices' paid amounts = the sum of the payments allocated to them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE billing_invoice AS i SET paid = COALESCE(p.total, 0)
            FROM (SELECT inv.id, SUM(pay.amount) AS total
                  FROM billing_invoice inv
                  LEFT JOIN billing_paymentreceived pay ON pay.invoice_id = inv.id
                  WHERE inv.id IN (
                      SELECT invoice_id FROM billing_paymentreceived WHERE id = ANY(%s))
                  GROUP BY inv.id) AS p
            WHERE i.id = p.id AND i.paid IS DISTINCT FROM COALESCE(p.total, 0)
            """,
            [payment_ids],
        )


OPTIONAL_TEXT = lambda name, n: Column(name, text(n), required=False)  # noqa: E731

ENTITIES: dict[str, EntitySpec] = {
    "customers": EntitySpec(
        "customers",
        models.Customer,
        (
            Column("erp_id", text(64)),
            Column("symbol", text(32)),
            Column("kind", choice("individual", "business")),
            Column("name", text(200)),
            Column("pesel", pesel_number, required=False),
            Column("nip", nip, required=False),
            OPTIONAL_TEXT("street", 120),
            OPTIONAL_TEXT("building_no", 20),
            OPTIONAL_TEXT("flat_no", 20),
            Column("postcode", postcode, required=False),
            OPTIONAL_TEXT("city", 80),
            Column("email", email, required=False),
            OPTIONAL_TEXT("phone", 32),
            OPTIONAL_TEXT("membership_number", 32),
            Column("member_since", day, required=False),
            Column("bank_account", digits(26), required=False),
            OPTIONAL_TEXT("debt_status", 40),
        ),
        transform=_customer_transform,
        messages={
            "billing_customer_symbol_key": gettext_lazy("This symbol belongs to another customer.")
        },
    ),
    "buildings": EntitySpec(
        "buildings",
        models.Building,
        (
            Column("erp_id", text(64)),
            OPTIONAL_TEXT("estate", 120),
            Column("street", text(120)),
            Column("building_no", text(20)),
            Column("postcode", postcode, required=False),
            Column("city", text(80)),
        ),
    ),
    "premises": EntitySpec(
        "premises",
        models.Premises,
        (
            Column("erp_id", text(64)),
            Column("kind", choice("residential", "commercial", "other", "parking", "land")),
            Column("street", text(120)),
            Column("building_no", text(20)),
            OPTIONAL_TEXT("flat_no", 20),
            Column("postcode", postcode, required=False),
            Column("city", text(80)),
            Column("area", area, required=False),
        ),
        references=(Reference("building_erp_id", models.Building, "building_id", required=False),),
    ),
    "legal-titles": EntitySpec(
        "legal-titles",
        models.LegalTitle,
        (
            Column("erp_id", text(64)),
            OPTIONAL_TEXT("kind", 40),
            Column("valid_from", day),
            Column("valid_to", day, required=False),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id"),
        ),
    ),
    "contracts": EntitySpec(
        "contracts",
        models.Contract,
        (
            Column("erp_id", text(64)),
            Column("number", text(64)),
            Column("kind", choice("water_sewage", "energy", "housing")),
            Column("status", choice("draft", "signed_by_customer", "active", "terminated")),
            Column("signed_on", day, required=False),
            Column("valid_from", day, required=False),
            Column("valid_to", day, required=False),
        ),
        references=(Reference("customer_erp_id", models.Customer, "customer_id"),),
        messages={
            "billing_contract_number_key": gettext_lazy(
                "This contract number belongs to another contract."
            )
        },
    ),
    "service-points": EntitySpec(
        "service-points",
        models.ServicePoint,
        (Column("erp_id", text(64)), Column("code", text(64)), OPTIONAL_TEXT("meter_number", 64)),
        references=(
            Reference("premises_erp_id", models.Premises, "premises_id"),
            Reference("contract_erp_id", models.Contract, "contract_id", required=False),
        ),
    ),
    "charges": EntitySpec(
        "charges",
        models.Charge,
        (
            Column("erp_id", text(64)),
            Column("component", text(120)),
            Column("period", day),
            Column("amount", money),
            Column("due_date", day),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
        transform=_first_of_month,
    ),
    "invoices": EntitySpec(
        "invoices",
        models.Invoice,
        (
            Column("erp_id", text(64)),
            Column("number", text(64)),
            Column(
                "kind",
                choice(*models.Invoice.Kind.values),
                required=False,
                default=models.Invoice.Kind.INVOICE,
            ),
            Column("issue_date", day),
            Column("due_date", day),
            Column("gross", money),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
        messages={
            "billing_invoice_number_key": gettext_lazy(
                "This invoice number belongs to another invoice."
            ),
            "invoice_due_after_issue": gettext_lazy("The due date is before the issue date."),
        },
    ),
    "payments-received": EntitySpec(
        "payments-received",
        models.PaymentReceived,
        (
            Column("erp_id", text(64)),
            Column("paid_on", day),
            Column("amount", money),
            OPTIONAL_TEXT("title", 200),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
            Reference("invoice_erp_id", models.Invoice, "invoice_id", required=False),
        ),
        after=_refresh_invoice_paid,
        messages={"payment_amount_positive": gettext_lazy("A payment must be more than zero.")},
    ),
    "settlements": EntitySpec(
        "settlements",
        models.Settlement,
        (
            Column("erp_id", text(64)),
            Column("kind", text(80)),
            Column("period_from", day),
            Column("period_to", day),
            Column("amount", money),
            Column("issued_on", day),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
        messages={"settlement_period_valid": gettext_lazy("The period ends before it starts.")},
    ),
    "deposits": EntitySpec(
        "deposits",
        models.Deposit,
        (
            Column("erp_id", text(64)),
            Column("kind", text(80)),
            Column("amount", money),
            Column("received_on", day),
            Column("returned_on", day, required=False),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
        messages={
            "deposit_amount_positive": gettext_lazy("A deposit must be more than zero."),
            "deposit_returned_after_received": gettext_lazy(
                "A deposit is returned after it is received."
            ),
        },
    ),
    "contributions": EntitySpec(
        "contributions",
        models.Contribution,
        (
            Column("erp_id", text(64)),
            Column("kind", text(80)),
            Column("amount", money),
            Column("paid", money),
        ),
        references=(
            Reference("customer_erp_id", models.Customer, "customer_id"),
            Reference("premises_erp_id", models.Premises, "premises_id", required=False),
        ),
    ),
    "balance-confirmations": EntitySpec(
        "balance-confirmations",
        models.BalanceConfirmation,
        (Column("erp_id", text(64)), Column("as_of", day), Column("amount", money)),
        references=(Reference("customer_erp_id", models.Customer, "customer_id"),),
    ),
}


# --- reading files -------------------------------------------------------------------------------


# An XLSX file is a zip: what it unpacks to is capped before anything is unpacked (a small file
# can hold a cell of hundreds of megabytes), and each member may not claim more than the cap.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
CSV_FIELD_LIMIT = 131_072  # characters in one value (the csv module's own default)


class UnreadableFile(ApplicationError):
    """The file as a whole cannot be read (not a row's error): answered with 400 and a message
    that says what is wrong, and nothing is stored or imported."""

    def __init__(self, message: str, code: str = "unreadable_file"):
        super().__init__(str(message), code=code, status=400)


def xlsx_to_csv(data: bytes) -> str:
    """The first sheet of an XLSX workbook as CSV text (``;``), values as the ERP wrote them.
    Raises UnreadableFile for anything that is not a sound workbook of a sane size."""

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile(_("This is not a readable XLSX file.")) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            _("The workbook unpacks to more than %(mb)d MB; split it or send CSV.")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)},
            code=BillingErrorCode.TOO_LARGE,
        )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise UnreadableFile(_("The workbook has no sheet."))
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            if row is None or all(v is None for v in row):
                continue
            writer.writerow(
                [
                    "" if v is None else v.isoformat()[:10] if isinstance(v, date) else str(v)
                    for v in row
                ]
            )
        workbook.close()
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile workbook fails in many libraries' ways
        raise UnreadableFile(_("This is not a readable XLSX file.")) from exc
    text = out.getvalue()
    check_readable(text)
    return text


def check_readable(payload: str) -> None:
    """Refuse a file that cannot be read as a whole, before it is stored: a NUL character, a
    value longer than the limit, a broken CSV structure. Streams through the rows without
    keeping them."""
    if "\x00" in payload:
        raise UnreadableFile(_("The file contains a NUL character; it is not a text file."))
    stripped = payload.lstrip("\ufeff").strip()
    if not stripped or stripped.startswith("{"):
        return  # JSON lines: each line is checked (and reported) on its own
    reader = csv.reader(io.StringIO(stripped), delimiter=_dialect(stripped))
    try:
        for _row in reader:
            pass
    except csv.Error as exc:
        raise UnreadableFile(
            _(
                "Line %(line)d cannot be read as CSV (a value longer than %(limit)d characters "
                "or a quote left open)."
            )
            % {"line": reader.line_num, "limit": CSV_FIELD_LIMIT}
        ) from exc


def _dialect(stripped: str) -> str:
    first = stripped.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def read_rows(payload: str) -> list[dict[str, str]]:
    """CSV with a header row (``;`` or ``,``) or JSON lines; every value as a string. Raises
    UnreadableFile when the file as a whole cannot be read."""
    check_readable(payload)
    stripped = payload.lstrip("\ufeff").strip()
    if not stripped:
        return []
    if stripped.startswith("{"):
        rows = []
        for number, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except (ValueError, RecursionError):  # bad JSON, a number too long to convert
                data = {"__error__": Text(gettext_noop("Line %(n)d is not valid JSON."), n=number)}
            if isinstance(data, dict) and any("\x00" in f"{k}{v}" for k, v in data.items()):
                data = {
                    "__error__": Text(
                        gettext_noop("Line %(n)d contains a NUL character."), n=number
                    )
                }
            if not isinstance(data, dict):
                data = {
                    "__error__": Text(gettext_noop("Line %(n)d is not a JSON object."), n=number)
                }
            rows.append(
                {
                    k: v if isinstance(v, Text) else "" if v is None else str(v)
                    for k, v in data.items()
                }
            )
        return rows
    reader = csv.DictReader(io.StringIO(stripped), delimiter=_dialect(stripped))
    return [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]


# --- the import itself ------------------------------------------------------------------


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def error(self, row: int, field: str | None, code: str, detail: str | Text) -> None:
        stored = {"row": row, "field": field, "code": code, "detail": str(detail)}
        if isinstance(detail, Text):
            stored.update(detail.as_stored())
        self.errors.append(stored)


BATCH = 5000


def run_import(
    spec: EntitySpec,
    rows: list[dict[str, str]],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate and upsert ``rows``; with ``dry_run`` nothing is written. Rows are numbered from
    1 after the header."""
    result = ImportResult(total=len(rows))
    parsed = _parse_all(spec, rows, result)
    _resolve_references(spec, parsed, result)
    valid = [(number, values) for number, values in parsed if values is not None]
    if dry_run:
        # Everything in one transaction that is rolled back: the counts are real, nothing stays.
        with transaction.atomic():
            for start in range(0, len(valid), BATCH):
                _upsert_chunk(spec, valid[start : start + BATCH], result)
            transaction.set_rollback(True)
        if progress:
            progress(len(rows))
    else:
        # Each batch commits on its own, so a big file shows progress while it runs; a row is
        # still all or nothing, and re-sending the file after a failure changes nothing twice.
        for start in range(0, len(valid), BATCH):
            with transaction.atomic():
                _upsert_chunk(spec, valid[start : start + BATCH], result)
            if progress:
                progress(min(len(rows), start + BATCH + (len(rows) - len(valid))))
    result.errors.sort(key=lambda e: e["row"])
    return result


def _parse_all(spec: EntitySpec, rows: list[dict[str, str]], result: ImportResult) -> list:
    out = []
    seen: dict[str, int] = {}
    column_names = {c.name for c in spec.columns} | {r.column for r in spec.references}
    for number, raw in enumerate(rows, start=1):
        if "__error__" in raw:
            result.error(number, None, RowCode.INVALID_ROW, raw["__error__"])
            out.append((number, None))
            continue
        values: dict[str, Any] = {}
        ok = True
        unknown = sorted(k for k in raw if k and k not in column_names)
        if unknown:
            result.error(
                number,
                unknown[0],
                RowCode.UNKNOWN_COLUMN,
                Text(gettext_noop("Unknown column: %(c)s."), c=unknown[0]),
            )
            ok = False
        for column in spec.columns:
            value = raw.get(column.name, "")
            if value is None or not str(value).strip():
                if column.required:
                    result.error(
                        number,
                        column.name,
                        RowCode.REQUIRED,
                        Text(gettext_noop("This field is required.")),
                    )
                    ok = False
                else:
                    values[column.name] = _empty_for(column)
                continue
            try:
                values[column.name] = column.parse(str(value))
            except RowError as exc:
                result.error(number, column.name, exc.code, exc.detail)
                ok = False
        for ref in spec.references:
            values[ref.column] = (raw.get(ref.column) or "").strip()
            if ref.required and not values[ref.column]:
                result.error(
                    number,
                    ref.column,
                    RowCode.REQUIRED,
                    Text(gettext_noop("This field is required.")),
                )
                ok = False
        erp_id = values.get("erp_id")
        if ok and erp_id in seen:
            result.error(
                number,
                "erp_id",
                RowCode.DUPLICATE,
                Text(gettext_noop("The same erp_id is in row %(n)d too."), n=seen[erp_id]),
            )
            ok = False
        if ok:
            seen[erp_id] = number
        out.append((number, values if ok else None))
    return out


def _empty_for(column: Column) -> Any:
    # Optional dates and amounts are NULL when empty; optional text is "".
    if column.default is not None:
        return column.default
    return None if column.parse in (day, money, area) else ""


def _resolve_references(spec: EntitySpec, parsed: list, result: ImportResult) -> None:
    for ref in spec.references:
        wanted = {
            values[ref.column] for _n, values in parsed if values is not None and values[ref.column]
        }
        known = (
            dict(ref.model.objects.filter(erp_id__in=wanted).values_list("erp_id", "pk"))
            if wanted
            else {}
        )
        for index, (number, values) in enumerate(parsed):
            if values is None:
                continue
            erp = values.pop(ref.column)
            if not erp:
                values[ref.field] = None
            elif erp in known:
                values[ref.field] = known[erp]
            else:
                result.error(
                    number,
                    ref.column,
                    RowCode.UNKNOWN_REFERENCE,
                    Text(gettext_noop("No record with erp_id %(id)s."), id=erp),
                )
                parsed[index] = (number, None)


def _upsert_chunk(spec: EntitySpec, chunk: list, result: ImportResult) -> None:
    rows = [spec.transform(dict(values)) for _number, values in chunk]
    refused = 0
    try:
        with transaction.atomic():
            ids, created = _upsert(spec, rows)
    except IntegrityError:
        # Find the rows the database refuses, one by one; the others go in.
        ids, created = [], 0
        for (number, _values), row in zip(chunk, rows, strict=True):
            try:
                with transaction.atomic():
                    row_ids, row_created = _upsert(spec, [row])
            except IntegrityError as exc:
                result.error(number, None, RowCode.CONFLICT, _conflict_message(spec, exc))
                refused += 1
                continue
            ids += row_ids
            created += row_created
    result.created += created
    result.updated += len(ids) - created
    result.unchanged += len(chunk) - len(ids) - refused
    if spec.after and ids:
        spec.after(ids)


def _conflict_message(spec: EntitySpec, exc: IntegrityError) -> str | Text:
    diag = getattr(exc.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", "") or getattr(diag, "column_name", "") or ""
    if constraint in spec.messages:
        return str(spec.messages[constraint])
    return Text(gettext_noop("The database refused this row (%(c)s)."), c=constraint or "?")


def _upsert(spec: EntitySpec, rows: list[dict]) -> tuple[list[int], int]:
    """One INSERT … ON CONFLICT statement; returns the ids written and how many were new.

    Fields the file does not carry get their model default when a row is created and are left
    alone when it is updated (e.g. an invoice's paid amount); ``auto_now`` stamps move only when
    the row really changes."""

    model = spec.model
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    supplied = list(rows[0].keys())
    stamps = [a for a, f in fields.items() if getattr(f, "auto_now", False) and a not in supplied]
    defaults = {
        a: f.get_default()
        for a, f in fields.items()
        if a not in supplied
        and a not in stamps
        and (f.has_default() or not f.null or getattr(f, "auto_now_add", False))
    }
    now = timezone.now()
    for a, f in fields.items():
        if getattr(f, "auto_now_add", False) and a in defaults:
            defaults[a] = now
    columns = supplied + stamps + list(defaults)
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    quoted = {a: q(fields[a].column) for a in columns}
    column_list = ", ".join(quoted[a] for a in columns)
    compared = [quoted[a] for a in supplied if a != "erp_id"]
    assigned = compared + [quoted[a] for a in stamps]

    shape = hashlib.sha1(column_list.encode(), usedforsecurity=False).hexdigest()[:10]
    staging = q(f"_import_{model._meta.db_table}_{shape}")
    fixed = [now for _a in stamps] + list(defaults.values())
    # Rows go to a temporary table with COPY (no per-value query text), then one
    # INSERT ... SELECT ... ON CONFLICT upserts them. Only identifiers taken from the model's own
    # metadata are interpolated.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {column_list} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.cursor.copy(f"COPY {staging} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[a] for a in supplied] + fixed)
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in assigned)
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging} "  # noqa: S608
            f"ON CONFLICT (erp_id) DO UPDATE SET {assignments} "
            f"WHERE ({', '.join(f'{table}.{c}' for c in compared)}) "
            f"IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in compared)}) "
            f"RETURNING id, (xmax = 0) AS inserted"
        )
        returned = cursor.fetchall()
    return [r[0] for r in returned], sum(1 for r in returned if r[1])


def import_text(entity: str, payload: str, *, dry_run: bool = False, progress=None) -> ImportResult:
    return run_import(ENTITIES[entity], read_rows(payload), dry_run=dry_run, progress=progress)


def entity_names() -> Iterable[str]:
    return ENTITIES.keys()


ENTITY_LABELS = {
    "customers": gettext_lazy("Customers"),
    "buildings": gettext_lazy("Buildings"),
    "premises": gettext_lazy("Premises"),
    "legal-titles": gettext_lazy("Legal titles to premises"),
    "contracts": gettext_lazy("Contracts"),
    "service-points": gettext_lazy("Points of supply"),
    "charges": gettext_lazy("Charges"),
    "invoices": gettext_lazy("Invoices"),
    "payments-received": gettext_lazy("Payments received"),
    "settlements": gettext_lazy("Settlements"),
    "deposits": gettext_lazy("Deposits"),
    "contributions": gettext_lazy("Contributions"),
    "balance-confirmations": gettext_lazy("Balance confirmations"),
}


def entity_label(entity: str) -> str:
    """What an import holds, in the reader's words (the ERP's name stays in the API)."""
    return str(ENTITY_LABELS.get(entity, entity))
