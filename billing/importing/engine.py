"""The import itself: rows parsed and checked one by one, references resolved in one query per
entity, valid rows upserted by ``erp_id`` in batches (a row that changes nothing is not
written), a refused batch replayed row by row; a dry run rolled back. Entities are registered
by the apps that own them."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, cast

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from billing.errors import RowCode
from billing.importing.columns import (
    Column,
    EntitySpec,
    Row,
    RowError,
    Text,
    area,
    day,
    line_quantity,
    moment,
    money,
    price,
    quantity,
)
from billing.importing.files import read_rows
from core.schemas import use_tenant

# The registered entities: name -> spec, and the name people read.
ENTITIES: dict[str, EntitySpec] = {}
ENTITY_LABELS: dict[str, object] = {}


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
    rows: Iterable[Row],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate and upsert ``rows`` (a list, or rows streamed from a file of any size: they are
    taken a batch at a time); with ``dry_run`` nothing is written. Rows are numbered from 1
    after the header."""
    result = ImportResult()
    rows = iter(rows)
    seen: dict[str, int] = {}
    known: dict[str, dict[str, int]] = {}
    # A dry run is one transaction that is rolled back: the counts are real, nothing stays.
    # Otherwise each batch commits on its own, so a big file shows progress while it runs; a
    # row is still all or nothing, and re-sending the file after a failure changes nothing twice.
    # For an entity that allows it, outside any transaction of the caller's, batches are written
    # on connections of their own while the next is read (PostgreSQL's work and Python's overlap).
    tenant = getattr(connection, "tenant", None)
    parallel = (
        spec.parallel and not dry_run and not connection.in_atomic_block and tenant is not None
    )
    with (
        transaction.atomic() if dry_run else contextlib.nullcontext(),
        _Writers(spec, tenant) if parallel else contextlib.nullcontext() as writers,
    ):
        while raws := list(itertools.islice(rows, BATCH)):
            first = result.total + 1
            result.total += len(raws)
            # A reference to a row of this file that a writer may still be writing (a corrective
            # invoice naming one a batch or two before it) is looked up again once they are done.
            settle = (lambda: writers.settle(result)) if writers is not None else None
            parsed = _parse_chunk(spec, first, raws, result, seen)
            _resolve_references(spec, parsed, result, known, settle=settle)
            valid = parsed.valid()
            if valid and writers is not None:
                writers.write(valid, result)
            elif valid:
                _write_batch(spec, valid, result)
            if progress:
                progress(result.total)
        if writers is not None:
            writers.finish(result)
        if dry_run:
            transaction.set_rollback(True)
    result.errors.sort(key=lambda e: e["row"])
    return result


@dataclass
class _Batch:
    """Rows of a file as two lists side by side, the row numbers and each row's values (None
    for a row refused): no object per row but the row's own dict, so a batch of thousands of
    rows gives Python's cycle collector (which visits tuples, not dicts of plain values)
    nothing to do."""

    numbers: list[int]
    rows: list[dict[str, Any] | None]
    # The values every row of the batch has (the optional columns its file lacks), kept once.
    same: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, numbers: list[int], rows: list[dict[str, Any] | None], same: dict) -> None:
        """Rows of one shape, with the values they all have."""
        if all(values is None for values in self.rows):  # nothing kept yet but refusals
            self.same = same
        elif same != self.same:  # rows of another shape: each row carries all its values
            for values in self.rows:
                if values is not None:
                    values.update(self.same)
            for values in rows:
                if values is not None:
                    values.update(same)
            self.same = {}
        self.numbers += numbers
        self.rows += rows

    def refuse(self, number: int) -> None:
        self.numbers.append(number)
        self.rows.append(None)

    def valid(self) -> _Batch:
        kept = [row is not None for row in self.rows]
        return _Batch(
            list(itertools.compress(self.numbers, kept)),
            list(itertools.compress(self.rows, kept)),
            self.same,
        )


def _write_batch(spec: EntitySpec, valid: _Batch, result: ImportResult) -> None:
    with transaction.atomic():
        _relaxed_commit()
        _upsert_chunk(spec, valid, result)


# Batches written at once, each on its own connection (a worker's two cores: one reads and checks
# the file, PostgreSQL writes on the other).
WRITERS = 2


class _Writers:
    """Threads that write batches on connections of their own, in the tenant's schema.

    Order is kept where it matters: a batch starts only once the batch ``LAG`` places before it
    has committed, so two batches written at the same time are always close enough in the file
    for a repeated erp_id between them to be reported (``SEEN_WINDOW``), and of rows further
    apart the later one is written last and wins, as with one writer. A batch a writer could not
    write (a deadlock with the batch beside it) is tried again at once, and after three failures
    written by the caller's thread when the others are done."""

    LAG = 3  # batches: SEEN_WINDOW // BATCH - 1

    def __init__(self, spec: EntitySpec, tenant) -> None:
        self.spec, self.tenant = spec, tenant
        self.work: queue.Queue = queue.Queue(maxsize=WRITERS)
        self.done: queue.Queue = queue.Queue()
        self.retry: list[_Batch] = []
        self.sent = 0
        self.handed = 0
        self.finished: dict[int, threading.Event] = {}
        self.threads = [
            threading.Thread(target=self._run, name=f"import-writer-{i}", daemon=True)
            for i in range(WRITERS)
        ]

    def __enter__(self) -> _Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for _thread in self.threads:
            self.work.put(None)
        for thread in self.threads:
            thread.join()

    def _run(self) -> None:
        use_tenant(self.tenant)  # this thread's own connection
        try:
            while (item := self.work.get()) is not None:
                valid, finished = item
                try:
                    self.done.put(self._write(valid))
                finally:
                    finished.set()
        finally:
            connection.close()

    def _write(self, valid: _Batch) -> tuple[str, Any]:
        for _attempt in range(3):
            part = ImportResult()
            try:
                _write_batch(self.spec, valid, part)
            except DatabaseError:
                continue
            except Exception as exc:  # noqa: BLE001 - raised again in the caller's thread
                return ("error", exc)
            return ("ok", part)
        return ("retry", valid)

    def write(self, valid: _Batch, result: ImportResult) -> None:
        number = self.handed
        self.handed += 1
        earlier = self.finished.pop(number - self.LAG, None)
        if earlier is not None:
            earlier.wait()
        self.finished[number] = threading.Event()
        self.work.put((valid, self.finished[number]))  # waits while every writer is busy
        self.sent += 1
        self._collect(result, wait=False)

    def settle(self, result: ImportResult) -> None:
        """Wait until every batch handed over is written."""
        self._collect(result, wait=True)

    def finish(self, result: ImportResult) -> None:
        self._collect(result, wait=True)
        for valid in self.retry:
            _write_batch(self.spec, valid, result)

    def _collect(self, result: ImportResult, *, wait: bool) -> None:
        while self.sent and (wait or not self.done.empty()):
            kind, payload = self.done.get()
            self.sent -= 1
            if kind == "retry":
                self.retry.append(payload)
            elif kind == "error":
                raise payload
            else:
                result.created += payload.created
                result.updated += payload.updated
                result.unchanged += payload.unchanged
                result.errors += payload.errors


def _relaxed_commit() -> None:
    """A batch's commit does not wait for its WAL to reach the disk: a crash can lose the last
    batches, never corrupt them, and an import is re-run from the start when its worker is lost
    (the rows already written are unchanged the second time), so nothing is lost for good."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


# A repeated erp_id is reported when its rows are at most this many rows apart (the memory of
# an import stays flat however long the file); further apart, the later row wins.
SEEN_WINDOW = 4 * BATCH


def _parse_chunk(
    spec: EntitySpec, first: int, raws: list[Row], result: ImportResult, seen: dict[str, int]
) -> _Batch:
    """Each row checked (``first`` is the number of the first), a column at a time: the rows of
    a batch that share a shape (a CSV file's rows all have its header's columns) are parsed
    column by column, so a column in its usual form costs no Python per value (see
    ``columns.in_bulk``); a row's errors are the same as if it were checked alone."""
    out = _Batch([], [])
    prepare = spec.prepare
    start = 0  # where the current run of rows of one shape starts
    shape = None
    for index, raw in enumerate(raws):
        if prepare is not None and "__error__" not in raw:
            raws[index] = raw = prepare(raw)
        if "__error__" in raw:
            _parse_rows(spec, first + start, raws[start:index], result, seen, out)
            start = index + 1
            shape = None
            result.error(first + index, None, RowCode.INVALID_ROW, raw["__error__"])
            out.refuse(first + index)
        elif shape is None:
            shape = raw.keys()
        elif raw.keys() != shape:
            _parse_rows(spec, first + start, raws[start:index], result, seen, out)
            start, shape = index, raw.keys()
    _parse_rows(spec, first + start, raws[start:], result, seen, out)
    if len(seen) > SEEN_WINDOW:  # forget the oldest (dicts keep insertion order)
        for key in list(itertools.islice(seen, len(seen) - SEEN_WINDOW)):
            del seen[key]
    return out


_REQUIRED = gettext_noop("This field is required.")


def _parse_rows(
    spec: EntitySpec,
    first: int,
    raws: list[Row],
    result: ImportResult,
    seen: dict[str, int],
    out: _Batch,
) -> None:
    """Rows of one shape (the same columns, in the same order), numbered from ``first``, added
    to ``out`` in the file's order."""
    if not raws:
        return
    numbers = list(range(first, first + len(raws)))
    shape = raws[0].keys()
    ok = [True] * len(raws)
    known = {c.name for c in spec.columns} | {r.column for r in spec.references}
    unknown = sorted(k for k in shape if k and k not in known)
    if unknown:
        message = Text(gettext_noop("Unknown column: %(c)s."), c=unknown[0])
        for index, number in enumerate(numbers):
            result.error(number, unknown[0], RowCode.UNKNOWN_COLUMN, message)
            ok[index] = False
    # The optional columns the rows lack take their empty value (kept once for all the rows);
    # the others are parsed.
    lacking = {
        c.name: _empty_for(c) for c in spec.columns if not c.required and c.name not in shape
    }
    names: list[str] = []
    columns: list[list[Any]] = []
    for column in spec.columns:
        if column.name in shape or column.required:
            given = _given(raws, column.name) if column.name in shape else [""] * len(raws)
            names.append(column.name)
            columns.append(_parse_column(column, given, numbers, ok, result))
    for ref in spec.references:
        if ref.column in shape:
            given = list(map(str.strip, _given(raws, ref.column)))
        else:
            given = [""] * len(raws)
        if ref.required:
            for index, value in enumerate(given):
                if not value:
                    result.error(numbers[index], ref.column, RowCode.REQUIRED, Text(_REQUIRED))
                    ok[index] = False
        names.append(ref.column)
        columns.append(given)
    erp_ids = columns[names.index("erp_id")] if "erp_id" in names else [""] * len(raws)
    rows: list[dict[str, Any] | None] = list(
        map(dict, map(zip, itertools.repeat(names), zip(*columns, strict=True)))
    )
    if all(ok) and len(set(erp_ids)) == len(erp_ids) and seen.keys().isdisjoint(erp_ids):
        # Every row is sound and none repeats another (text parsers give erp_ids as str).
        seen.update(zip(erp_ids, numbers, strict=True))
        out.add(numbers, rows, lacking)
        return
    for index, number in enumerate(numbers):
        if ok[index]:
            erp_id = str(erp_ids[index] or "")
            if erp_id not in seen:
                seen[erp_id] = number
                continue
            result.error(
                number,
                "erp_id",
                RowCode.DUPLICATE,
                Text(gettext_noop("The same erp_id is in row %(n)d too."), n=seen[erp_id]),
            )
        rows[index] = None
    out.add(numbers, rows, lacking)


def _given(raws: list[Row], name: str) -> list[str]:
    """One column of the rows as text (a prepared row may hold other values)."""
    given = list(map(itemgetter(name), raws))
    if {str}.issuperset(map(type, given)):
        return given
    return [v if v.__class__ is str else (str(v) if v else "") for v in given]


def _parse_column(
    column: Column, given: list[str], numbers: list[int], ok: list[bool], result: ImportResult
) -> list[Any]:
    """One column of a run of rows parsed: the whole column at once when the parser has a bulk
    form and vouches for every value, else value by value with each one's own error."""
    name, parse = column.name, column.parse
    empty = _empty_for(column)
    many = getattr(parse, "many", None)
    if many is not None and all(given) and not any(map(str.isspace, given)):
        parsed = many(given)  # none is blank
        if parsed is not None:
            return parsed
    blank = [i for i, value in enumerate(given) if not value or value.isspace()]
    out: list[Any] = [empty] * len(given)
    if column.required:
        for index in blank:
            result.error(numbers[index], name, RowCode.REQUIRED, Text(_REQUIRED))
            ok[index] = False
    skip = set(blank)
    for index, value in enumerate(given):
        if index in skip:
            continue
        try:
            out[index] = parse(value)
        except RowError as exc:
            result.error(numbers[index], name, exc.code, exc.detail)
            ok[index] = False
    return out


def _empty_for(column: Column) -> Any:
    # Optional dates and amounts are NULL when empty; optional text is "".
    if column.default is not None:
        return column.default
    return (
        None if column.parse in (day, money, area, quantity, moment, price, line_quantity) else ""
    )


# Resolved references are remembered across the batches of one import (a file of readings
# names the same meters again and again), up to this many per reference column.
KNOWN_LIMIT = 200_000


def _resolve_references(
    spec: EntitySpec,
    parsed: _Batch,
    result: ImportResult,
    known: dict[str, dict[str, int]],
    settle: Callable[[], None] | None = None,
) -> None:
    for ref in spec.references:
        cache = known.setdefault(ref.column, {})
        column, target = ref.column, ref.field
        wanted = {values[column] for values in parsed.rows if values is not None}
        wanted.discard("")
        wanted.difference_update(cache)
        if wanted:
            if len(cache) + len(wanted) > KNOWN_LIMIT:
                cache.clear()
            cache.update(_look_up(ref, wanted))
            missing = wanted.difference(cache)
            if missing and settle is not None and ref.model is spec.model:
                settle()  # rows of this very file, perhaps still being written
                cache.update(_look_up(ref, missing))
        found = cache.get
        for index, values in enumerate(parsed.rows):
            if values is None:
                continue
            erp = values.pop(column)
            pk = found(erp) if erp else None
            if pk is not None or not erp:
                values[target] = pk
            else:
                result.error(
                    parsed.numbers[index],
                    column,
                    RowCode.UNKNOWN_REFERENCE,
                    Text(gettext_noop("No record with erp_id %(id)s."), id=erp),
                )
                parsed.rows[index] = None


def _look_up(ref, keys: set[str]) -> Iterable[tuple[str, int]]:
    return (
        ref.model._default_manager.filter(**{f"{ref.key}__in": keys}, **ref.where)
        .order_by("pk")
        .values_list(ref.key, "pk")
    )


def _upsert_chunk(spec: EntitySpec, chunk: _Batch, result: ImportResult) -> None:
    transform = spec.transform
    valid = cast(list[dict[str, Any]], chunk.rows)  # a batch of valid rows: no None in it
    same = chunk.same
    if transform is not None or spec.before is not None:  # they see whole rows
        rows = [transform(values | same) if transform else values | same for values in valid]
        same = {}
    else:
        rows = valid
    finish = spec.before(rows) if spec.before else None
    refused = 0
    try:
        with transaction.atomic():
            ids, created = _upsert(spec, rows, same)
    except IntegrityError:
        # Find the rows the database refuses, one by one; the others go in.
        ids, created = [], 0
        for number, row in zip(chunk.numbers, rows, strict=True):
            try:
                with transaction.atomic():
                    row_ids, row_created = _upsert(spec, [row], same)
            except IntegrityError as exc:
                result.error(number, None, RowCode.CONFLICT, _conflict_message(spec, exc))
                refused += 1
                continue
            ids += row_ids
            created += row_created
    result.created += created
    result.updated += len(ids) - created
    result.unchanged += len(rows) - len(ids) - refused
    if spec.after and ids:
        spec.after(ids)
    if finish is not None:
        finish()


def _conflict_message(spec: EntitySpec, exc: IntegrityError) -> str | Text:
    diag = getattr(exc.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", "") or getattr(diag, "column_name", "") or ""
    if constraint in spec.messages:
        return str(spec.messages[constraint])
    return Text(gettext_noop("The database refused this row (%(c)s)."), c=constraint or "?")


# Of a batch's erp_ids, every SAMPLE-th is looked up before its COPY: a file sent again (or a
# batch of mostly known rows) goes to the upsert at once; a known row the sample misses makes the
# COPY fail, and the upsert decides then (as it would have).
SAMPLE = 64


def _insert_if_all_new(
    table: str, columns: list[str], quoted: dict, rows: list[dict], given: list, constant: dict
) -> list[int] | None:
    """A batch none of whose rows exists yet (a first import) goes straight into the table with
    COPY, as PostgreSQL loads data fastest, its ids reserved from the table's sequence first:
    the ids written, or None when some row exists (or arrived meanwhile, or is refused) and the
    upsert must decide."""
    sample = [row["erp_id"] for row in rows[::SAMPLE]] + [rows[-1]["erp_id"]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE erp_id = ANY(%s))",  # noqa: S608
            [sample],
        )
        if cursor.fetchone()[0]:
            return None
        # The batch's ids reserved from the table's sequence in one step (a nextval per row
        # costs as much as a tenth of the COPY). Should another session draw an id between the
        # two calls, the ranges overlap: another writer's COPY or this one is refused and the
        # upsert decides, as above; an insert elsewhere (a reading sent in the portal) draws
        # its id in the very statement that writes it, so its row is there before this COPY
        # starts, and it is this COPY that is refused, never that insert.
        cursor.execute(
            "SELECT setval(s, nextval(s) + %s - 1) "
            "FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS s) AS q",
            [len(rows), table],
        )
        last = cursor.fetchone()[0]
        if last is None:  # a table whose ids come from no sequence: the upsert's defaults
            return None
        ids = list(range(last - len(rows) + 1, last + 1))
        try:
            # A savepoint: a refusal leaves the batch as it was (psycopg's errors as Django's).
            with transaction.atomic(), connection.wrap_database_errors:
                _copy_rows(
                    cursor,
                    table,
                    {"id": ids} | {quoted[a]: column for a, column in _columns_of(rows, given)},
                    {quoted[a]: constant[a] for a in columns if a not in given},
                )
        except IntegrityError:
            return None
        return ids


def _columns_of(rows: list[dict], names: list[str]) -> list[tuple[str, list]]:
    return [(name, list(map(itemgetter(name), rows))) for name in names]


# Values whose equal ones are written alike (not Decimal: 1.0 and 1.00 are equal).
_ALIKE = (str, bool, date, type(None))


def _copy_rows(cursor, target: str, columns: dict[str, list], fixed: dict[str, Any]) -> None:
    """COPY ``target`` FROM STDIN: rows given as columns of equal length (quoted name: values)
    and the values every row has (``fixed``). A column with one value in every row of the batch
    (the optional columns a file leaves empty) is made into text once and goes at the end of
    each line, as COPY takes its columns in the order it is told."""
    rows = len(next(iter(columns.values())))
    varying: dict[str, list] = {}
    same = dict(fixed)
    for name, column in columns.items():
        first = column[0]
        if first.__class__ in _ALIKE and column.count(first) == rows:
            same[name] = first
        else:
            varying[name] = column
    if not varying:  # a single row: its values make the line
        varying = {name: [value] * rows for name, value in same.items()}
        same = {}
    order = ", ".join([*varying, *same])
    with cursor.cursor.copy(f"COPY {target} ({order}) FROM STDIN") as copy:  # noqa: S608
        _copy_in(copy, list(varying.values()), list(same.values()))


# COPY's text format: a value's backslash, tab and line breaks escaped; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_TEXT_OF: dict[type, Callable[[Any], str]] = {
    Decimal: str,
    int: str,
    date: date.isoformat,
    datetime: datetime.isoformat,
    bool: {True: "t", False: "f"}.__getitem__,
}


def _copy_column(values: list) -> list[str] | None:
    """One column in COPY's text format, converted in C where it is of one type (a parser gives
    one type per column), or None for a type this does not know."""
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    kinds.discard(type(None))
    if not kinds:
        return ["\\N"] * len(values)
    if len(kinds) > 1:
        return None
    kind = kinds.pop()
    if kind is not str and issubclass(kind, str):  # a choice's enum member: its text
        values = [v if v is None else str.__str__(v) for v in values]
        kind = str
    if kind is str:
        present = [v for v in values if v is not None] if nulls else values
        joined = "".join(present)
        escape = any(c in joined for c in "\\\t\n\r")
        if not nulls:
            return [v.translate(_COPY_ESCAPES) for v in values] if escape else values
        return ["\\N" if v is None else v.translate(_COPY_ESCAPES) for v in values]
    text = _COPY_TEXT_OF.get(kind)
    if text is None:
        return None
    if not nulls:
        return list(map(text, values))
    return ["\\N" if v is None else text(v) for v in values]


def _copy_in(copy, columns: list[list], tail: list) -> None:
    """Rows, given as columns of equal length and the values every row ends with, written to a
    COPY ... FROM STDIN in one piece of text made by C loops (a batch's rows cost no Python
    each); a column of a type this does not convert goes row by row through psycopg."""
    texts = [t for t in map(_copy_column, columns) if t is not None]
    ends = [e[0] for e in (_copy_column([value]) for value in tail) if e is not None]
    if len(texts) < len(columns) or len(ends) < len(tail):
        for row in zip(*columns, strict=True):
            copy.write_row((*row, *tail))
        return
    line_end = "".join(f"\t{end}" for end in ends) + "\n"
    copy.write(line_end.join(map("\t".join, zip(*texts, strict=True))) + line_end)


_PLAIN = (str, int, bool, Decimal, date, datetime, type(None))


def _plain(value: Any) -> bool:
    """A value that goes into the statement as a parameter as it is."""
    return value.__class__ in _PLAIN


def _upsert(spec: EntitySpec, rows: list[dict], same: dict[str, Any]) -> tuple[list[int], int]:
    """One INSERT … ON CONFLICT statement; returns the ids written and how many were new.

    Fields the file does not carry get their model default when a row is created and are left
    alone when it is updated (e.g. an invoice's paid amount); ``auto_now`` stamps move only when
    the row really changes. ``same`` holds values every row has, kept out of the rows."""

    model = spec.model
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    given = list(rows[0].keys())  # the values each row holds
    supplied = given + [a for a in same if a not in rows[0]]
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
    quoted = {a: q(str(fields[a].column)) for a in columns}
    column_list = ", ".join(quoted[a] for a in columns)
    compared = [quoted[a] for a in supplied if a != "erp_id"]
    assigned = compared + [quoted[a] for a in stamps]

    constant = {a: now for a in stamps} | defaults | same  # what no row holds itself
    if len(rows) > 1:
        new = _insert_if_all_new(table, columns, quoted, rows, given, constant)
        if new is not None:
            return new, len(new)

    # Columns with one value in every row of the batch (the optional columns a file leaves
    # empty, the stamps, the defaults) are given once as parameters; only the others are copied.
    fixed = {a: v for a, v in constant.items() if _plain(v)}
    for a in given:
        if a == "erp_id":  # at least one column is copied: it makes the rows
            continue
        values = list(map(itemgetter(a), rows))  # one column, read and compared in C
        first = values[0]
        if _plain(first) and values.count(first) == len(values):
            # A parser gives one type per column, so equal values store the same (no True
            # among 1s; 1.0 and 1.00 are one number in a numeric column of fixed scale).
            fixed[a] = first
    from_rows = [a for a in given if a not in fixed]
    not_plain = [a for a in columns if a not in given and a not in fixed]  # copied as they are
    copied = from_rows + not_plain
    copied_list = ", ".join(quoted[a] for a in copied)
    shape = hashlib.sha1(copied_list.encode(), usedforsecurity=False).hexdigest()[:10]
    staging = q(f"_import_{model._meta.db_table}_{shape}")
    selected = ", ".join(
        f"CAST(%s AS {fields[a].db_type(connection)})" if a in fixed else f"_s.{quoted[a]}"
        for a in columns
    )
    # Rows go to a temporary table with COPY (no per-value query text), then one
    # INSERT ... SELECT ... ON CONFLICT upserts them. Only identifiers taken from the model's own
    # metadata are interpolated; values arrive through COPY or as parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {copied_list} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
        _copy_rows(
            cursor,
            staging,
            {quoted[a]: column for a, column in _columns_of(rows, from_rows)},
            {quoted[a]: constant[a] for a in not_plain},
        )
        kept = {quoted[a] for a in spec.kept_erased if a in quoted}

        def incoming(c: str) -> str:
            # An erased row keeps its erased value of a ``kept_erased`` column.
            if c in kept:
                return f"CASE WHEN {table}.erased_at IS NULL THEN EXCLUDED.{c} ELSE {table}.{c} END"
            return f"EXCLUDED.{c}"

        assignments = ", ".join(f"{c} = {incoming(c)}" for c in assigned)
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {selected} FROM {staging} AS _s "  # noqa: S608
            f"ON CONFLICT (erp_id) DO UPDATE SET {assignments} "
            f"WHERE ({', '.join(f'{table}.{c}' for c in compared)}) "
            f"IS DISTINCT FROM ({', '.join(incoming(c) for c in compared)}) "
            f"RETURNING id, (xmax = 0) AS inserted",
            [fixed[a] for a in columns if a in fixed],
        )
        returned = cursor.fetchall()
    return [r[0] for r in returned], sum(1 for r in returned if r[1])


def register_entity(name: str, spec: EntitySpec, label) -> None:
    """An app adds an entity to the ERP import (billing's in ``billing.importing.entities``;
    metering's readings will come the same way): its spec and the name people read."""
    ENTITIES[name] = spec
    ENTITY_LABELS[name] = label


def import_text(entity: str, payload: str, *, dry_run: bool = False, progress=None) -> ImportResult:
    return run_import(ENTITIES[entity], read_rows(payload), dry_run=dry_run, progress=progress)


def entity_names() -> Iterable[str]:
    return ENTITIES.keys()


def entity_label(entity: str) -> str:
    """What an import holds, in the reader's words (the ERP's name stays in the API)."""
    return str(ENTITY_LABELS.get(entity, entity))
