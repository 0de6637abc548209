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
from typing import Any

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
    numbered = enumerate(rows, start=1)
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
        while chunk := list(itertools.islice(numbered, BATCH)):
            result.total += len(chunk)
            parsed = _parse_chunk(spec, chunk, result, seen)
            # A reference to a row of this file that a writer may still be writing (a corrective
            # invoice naming one a batch or two before it) is looked up again once they are done.
            settle = (lambda: writers.settle(result)) if writers is not None else None
            _resolve_references(spec, parsed, result, known, settle=settle)
            valid = [(number, values) for number, values in parsed if values is not None]
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


def _write_batch(spec: EntitySpec, valid: list, result: ImportResult) -> None:
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
        self.retry: list[list] = []
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

    def _write(self, valid: list) -> tuple[str, Any]:
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

    def write(self, valid: list, result: ImportResult) -> None:
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
    spec: EntitySpec, chunk: list[tuple[int, Row]], result: ImportResult, seen: dict[str, int]
) -> list[tuple[int, dict[str, Any] | None]]:
    out: list[tuple[int, dict[str, Any] | None]] = []
    column_names = {c.name for c in spec.columns} | {r.column for r in spec.references}
    # What each row is checked against, worked out once per shape of row (a CSV file's rows all
    # have its header's columns): the columns a row carries are parsed, the optional ones it
    # lacks take their empty value at once.
    columns = [(c.name, c.parse, c.required, _empty_for(c)) for c in spec.columns]
    references = [(r.column, r.required) for r in spec.references]
    prepare = spec.prepare
    shape = None
    plan: list = []
    lacking: dict[str, Any] = {}
    for number, raw in chunk:
        if prepare is not None and "__error__" not in raw:
            raw = prepare(raw)
        if "__error__" in raw:
            result.error(number, None, RowCode.INVALID_ROW, raw["__error__"])
            out.append((number, None))
            continue
        if shape is None or raw.keys() != shape:
            shape = raw.keys()
            plan = [(*c, c[0] in shape) for c in columns if c[0] in shape or c[2]]
            lacking = {
                name: empty for name, _p, req, empty in columns if not req and name not in shape
            }
        values: dict[str, Any] = dict(lacking)
        ok = True
        if not column_names.issuperset(raw):
            unknown = sorted(k for k in raw if k and k not in column_names)
            if unknown:
                result.error(
                    number,
                    unknown[0],
                    RowCode.UNKNOWN_COLUMN,
                    Text(gettext_noop("Unknown column: %(c)s."), c=unknown[0]),
                )
                ok = False
        for name, parse, required, empty, present in plan:
            if present:
                given = raw[name]
                value = given if given.__class__ is str else (str(given) if given else "")
            else:
                value = ""
            if not value or value.isspace():
                if required:
                    result.error(
                        number,
                        name,
                        RowCode.REQUIRED,
                        Text(gettext_noop("This field is required.")),
                    )
                    ok = False
                else:
                    values[name] = empty
                continue
            try:
                values[name] = parse(value)
            except RowError as exc:
                result.error(number, name, exc.code, exc.detail)
                ok = False
        for name, required in references:
            values[name] = str(raw.get(name) or "").strip()
            if required and not values[name]:
                result.error(
                    number, name, RowCode.REQUIRED, Text(gettext_noop("This field is required."))
                )
                ok = False
        erp_id = str(values.get("erp_id") or "")
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
    if len(seen) > SEEN_WINDOW:  # forget the oldest (dicts keep insertion order)
        for key in list(itertools.islice(seen, len(seen) - SEEN_WINDOW)):
            del seen[key]
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
    parsed: list,
    result: ImportResult,
    known: dict[str, dict[str, int]],
    settle: Callable[[], None] | None = None,
) -> None:
    for ref in spec.references:
        cache = known.setdefault(ref.column, {})
        wanted = {
            values[ref.column]
            for _n, values in parsed
            if values is not None and values[ref.column] and values[ref.column] not in cache
        }
        if wanted:
            if len(cache) + len(wanted) > KNOWN_LIMIT:
                cache.clear()
            cache.update(_look_up(ref, wanted))
            missing = wanted.difference(cache)
            if missing and settle is not None and ref.model is spec.model:
                settle()  # rows of this very file, perhaps still being written
                cache.update(_look_up(ref, missing))
        for index, (number, values) in enumerate(parsed):
            if values is None:
                continue
            erp = values.pop(ref.column)
            if not erp:
                values[ref.field] = None
            elif erp in cache:
                values[ref.field] = cache[erp]
            else:
                result.error(
                    number,
                    ref.column,
                    RowCode.UNKNOWN_REFERENCE,
                    Text(gettext_noop("No record with erp_id %(id)s."), id=erp),
                )
                parsed[index] = (number, None)


def _look_up(ref, keys: set[str]) -> Iterable[tuple[str, int]]:
    return (
        ref.model._default_manager.filter(**{f"{ref.key}__in": keys}, **ref.where)
        .order_by("pk")
        .values_list(ref.key, "pk")
    )


def _upsert_chunk(spec: EntitySpec, chunk: list, result: ImportResult) -> None:
    transform = spec.transform
    rows = [transform(dict(values)) if transform else values for _number, values in chunk]
    finish = spec.before(rows) if spec.before else None
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
    if finish is not None:
        finish()


def _conflict_message(spec: EntitySpec, exc: IntegrityError) -> str | Text:
    diag = getattr(exc.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", "") or getattr(diag, "column_name", "") or ""
    if constraint in spec.messages:
        return str(spec.messages[constraint])
    return Text(gettext_noop("The database refused this row (%(c)s)."), c=constraint or "?")


def _insert_if_all_new(
    table: str, columns: list[str], quoted: dict, rows: list[dict], supplied: list, constant: dict
) -> list[int] | None:
    """A batch none of whose rows exists yet (a first import) goes straight into the table with
    COPY, as PostgreSQL loads data fastest: the ids written, or None when some row exists (or
    arrived meanwhile, or is refused) and the upsert must decide."""
    erp_ids = [row["erp_id"] for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE erp_id = ANY(%s))",  # noqa: S608
            [erp_ids],
        )
        if cursor.fetchone()[0]:
            return None
        tail = [constant[a] for a in columns if a not in supplied]
        try:
            # A savepoint: a refusal leaves the batch as it was (psycopg's errors as Django's).
            with transaction.atomic(), connection.wrap_database_errors:
                with cursor.cursor.copy(
                    f"COPY {table} ({', '.join(quoted[a] for a in columns)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row([row[a] for a in supplied] + tail)
        except IntegrityError:
            return None
        cursor.execute(
            f"SELECT id FROM {table} WHERE erp_id = ANY(%s)",  # noqa: S608
            [erp_ids],
        )
        return [r[0] for r in cursor.fetchall()]


_PLAIN = (str, int, bool, Decimal, date, datetime, type(None))


def _plain(value: Any) -> bool:
    """A value that goes into the statement as a parameter as it is."""
    return value.__class__ in _PLAIN


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
    quoted = {a: q(str(fields[a].column)) for a in columns}
    column_list = ", ".join(quoted[a] for a in columns)
    compared = [quoted[a] for a in supplied if a != "erp_id"]
    assigned = compared + [quoted[a] for a in stamps]

    constant = {a: now for a in stamps} | defaults  # what no row of the file carries
    if len(rows) > 1:
        new = _insert_if_all_new(table, columns, quoted, rows, supplied, constant)
        if new is not None:
            return new, len(new)

    # Columns with one value in every row of the batch (the optional columns a file leaves
    # empty, the stamps, the defaults) are given once as parameters; only the others are copied.
    fixed = {a: v for a, v in constant.items() if _plain(v)}
    for a in supplied:
        if a == "erp_id":  # at least one column is copied: it makes the rows
            continue
        values = list(map(itemgetter(a), rows))  # one column, read and compared in C
        first = values[0]
        if _plain(first) and values.count(first) == len(values):
            # A parser gives one type per column, so equal values store the same (no True
            # among 1s; 1.0 and 1.00 are one number in a numeric column of fixed scale).
            fixed[a] = first
    from_rows = [a for a in supplied if a not in fixed]
    not_plain = [a for a in columns if a not in supplied and a not in fixed]  # copied as they are
    copied = from_rows + not_plain
    also = [constant[a] for a in not_plain]
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
        with cursor.cursor.copy(f"COPY {staging} ({copied_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[a] for a in from_rows] + also)
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
