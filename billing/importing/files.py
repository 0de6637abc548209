"""Reading an ERP file: CSV (``;`` or ``,``), JSON lines, or XLSX turned into CSV, with the caps
that keep a hostile file from costing memory or time."""

from __future__ import annotations

import csv
import io
import itertools
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from typing import TextIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import load_workbook

from billing.errors import BillingErrorCode
from billing.importing.columns import Row, Text
from core.errors import ApplicationError

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


# The encodings Polish ERP exports come in: UTF-8, Windows-1250 (Windows programs), CP852
# (DOS-era systems still in use) and ISO-8859-2 (older Unix ones).
ENCODINGS = {
    "utf-8": "utf-8-sig",
    "windows-1250": "cp1250",
    "cp852": "cp852",
    "iso-8859-2": "iso-8859-2",
}
POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# What a file of another encoding shows when read as this one: CP852's box drawing and block
# characters, Windows-1250's signs no Polish text uses (ISO-8859-2's ą, ś, ź read there as
# ±, ¶, Ľ), ISO-8859-2's control characters (where Windows-1250 has ś, ź, Ś, Ź).
UNLIKELY = {
    "cp852": set("░▒▓│┤╣║╗╝┐└┴┬├─┼╚╔╩╦╠═╬┘┌█▄▀¤"),
    "cp1250": set("ˇ˘¦¨©«¬®°±´µ¶·¸»˝ˆ‰‹›¤§Ľľ"),
    "iso-8859-2": {chr(code) for code in range(0x80, 0xA0)},
}


def decode_text(data: bytes, encoding: str = "auto") -> str:
    """A file's bytes as text: in the given encoding (``utf-8``, ``windows-1250``, ``cp852``,
    ``iso-8859-2``), or, with ``auto``, UTF-8 when it is that, else whichever of the others
    reads as Polish (more Polish letters, fewer signs no Polish text has). Raises
    UnicodeDecodeError when the file is not text in that encoding."""
    if encoding != "auto":
        return data.decode(ENCODINGS[encoding])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best, best_score = None, None
    for codec in ("cp1250", "cp852", "iso-8859-2"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = sum(ch in POLISH for ch in text) - 3 * sum(ch in UNLIKELY[codec] for ch in text)
        if best_score is None or score > best_score:
            best, best_score = text, score
    if best is None:
        raise UnicodeDecodeError("auto", data, 0, len(data), "no encoding reads it")
    return best


def check_readable(payload: str) -> int:
    """Refuse a file that cannot be read as a whole, before it is stored: a NUL character, a
    value longer than the limit, a broken CSV structure. Streams through the rows without
    keeping them; returns how many rows the file holds (lines of JSON, or CSV rows after the
    header)."""
    if "\x00" in payload:
        raise UnreadableFile(_("The file contains a NUL character; it is not a text file."))
    stripped = payload.lstrip("\ufeff").strip()
    if not stripped:
        return 0
    if stripped.startswith("{"):
        # JSON lines: each line is checked (and reported) on its own
        return sum(1 for line in stripped.splitlines() if line.strip())
    reader = csv.reader(io.StringIO(stripped), delimiter=_dialect(stripped))
    rows = 0
    try:
        for row in reader:
            rows += 1 if row else 0
    except csv.Error as exc:
        raise UnreadableFile(
            _(
                "Line %(line)d cannot be read as CSV (a value longer than %(limit)d characters "
                "or a quote left open)."
            )
            % {"line": reader.line_num, "limit": CSV_FIELD_LIMIT}
        ) from exc
    return max(rows - 1, 0)


def _dialect(stripped: str) -> str:
    first = stripped.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def read_rows(payload: str) -> list[Row]:
    """CSV with a header row (``;`` or ``,``) or JSON lines; every value as a string. Raises
    UnreadableFile when the file as a whole cannot be read."""
    check_readable(payload)
    stripped = payload.lstrip("\ufeff").strip()
    if not stripped:
        return []
    return list(iter_rows(io.StringIO(stripped)))


def iter_rows(stream: TextIO) -> Iterator[Row]:
    """The rows of a CSV or JSON-lines file, one at a time, as they are read from ``stream``
    (a file of any size takes the memory of one row). A JSON line that cannot be read is a row
    with ``__error__``; a broken CSV structure raises UnreadableFile."""
    first = stream.readline().lstrip("\ufeff")
    while first and not first.strip():
        first = stream.readline()
    if not first:
        return
    if first.lstrip().startswith("{"):
        yield from _json_rows(first, stream)
        return
    reader = csv.reader(
        itertools.chain([first], stream),
        delimiter=";" if first.count(";") > first.count(",") else ",",
    )
    try:
        header = [name.strip() for name in next(reader)]
        width = len(header)
        for values in reader:
            if not values:
                continue  # a blank line, as csv.DictReader skips it
            if len(values) == width:
                yield dict(zip(header, values, strict=False))  # as long: checked just now
            else:  # too few values: the rest are empty; too many: kept under "" (unknown)
                row: Row = dict(zip(header, values[:width], strict=False))
                row.update({name: "" for name in header[len(values) :]})
                if len(values) > width:
                    row[""] = ";".join(values[width:])
                yield row
    except csv.Error as exc:
        raise UnreadableFile(
            _("Line %(line)d cannot be read as CSV.") % {"line": reader.line_num}
        ) from exc


def _json_rows(first: str, stream: TextIO) -> Iterator[Row]:
    for number, line in enumerate(itertools.chain([first], stream), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):  # bad JSON, a number too long to convert
            data = {"__error__": Text(gettext_noop("Line %(n)d is not valid JSON."), n=number)}
        if isinstance(data, dict) and any("\x00" in f"{k}{v}" for k, v in data.items()):
            data = {
                "__error__": Text(gettext_noop("Line %(n)d contains a NUL character."), n=number)
            }
        if not isinstance(data, dict):
            data = {"__error__": Text(gettext_noop("Line %(n)d is not a JSON object."), n=number)}
        yield {
            k: v if isinstance(v, Text) else "" if v is None else str(v) for k, v in data.items()
        }
