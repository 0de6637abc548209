"""The import's fast paths give exactly what the careful path gives: a column parsed in bulk
equals the same values parsed one by one (with the same errors); a batch written with COPY in
text made by C loops stores every character as sent; a batch's ids reserved from the table's
sequence stay in the tenant's own schema and a collision falls back to the upsert."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from billing.importing import columns, engine, import_text
from billing.importing.columns import Column, RowError
from billing.models import Invoice

pytestmark = pytest.mark.django_db


def _one_by_one(parse, values):
    out = []
    for value in values:
        try:
            out.append(parse(value))
        except RowError as exc:
            out.append(("error", exc.code, str(exc.detail)))
    return out


def _as_a_column(parse, values):
    """What the engine makes of a column of these values (each value's error in its place)."""
    result = engine.ImportResult()
    ok = [True] * len(values)
    parsed = engine._parse_column(
        Column("c", parse), list(values), list(range(1, len(values) + 1)), ok, result
    )
    errors = {e["row"]: e for e in result.errors}
    return [
        ("error", errors[n]["code"], errors[n]["detail"]) if n in errors else value
        for n, value in enumerate(parsed, start=1)
    ]


COLUMNS = {
    "money, usual": (columns.money, ["12.50", "-0.01", "999999999999.99", "7", "0"]),
    "money, mixed": (
        columns.money,
        ["12.50", "1 234,56", "1000000000000", "12.505", "1e3", "NaN", "1.5\n2.5", "+3"],
    ),
    "day, usual": (columns.day, ["2026-02-28", "2024-02-29", "0001-01-01"]),
    "day, mixed": (
        columns.day,
        [
            "2026-02-28",
            "2026-02-30",
            "31.12.2026",
            "2026-1-5",
            "0000-01-01",
            "2026-01-01\n2026-01-02",
        ],
    ),
    "text, usual": (columns.text(5), ["abc", "  abc ", "abcde", "ąęłóż"]),
    "text, too long": (columns.text(5), ["abc", "abcdef"]),
    "choice, usual": (columns.choice("invoice", "correction"), ["invoice", " correction "]),
    "choice, mixed": (columns.choice("invoice", "correction"), ["invoice", "Invoice"]),
}


@pytest.mark.parametrize("case", COLUMNS)
def test_a_column_parsed_at_once_equals_its_values_parsed_one_by_one(case):
    parse, values = COLUMNS[case]
    assert _as_a_column(parse, values) == _one_by_one(parse, values)


@pytest.mark.parametrize(
    ("parse", "values", "vouched"),
    [
        (columns.money, ["12.50", "7"], True),
        (columns.money, ["12.50", "1 234,56"], False),  # an ERP's own form: value by value
        (columns.money, ["1.5\n2.5"], False),  # one value, not two lines
        (columns.day, ["2026-02-28"], True),
        (columns.day, ["2026-02-30"], False),
        (columns.text(3), ["abcd"], False),
    ],
)
def test_the_bulk_form_vouches_only_for_the_usual_form(parse, values, vouched):
    assert (parse.many(values) is not None) is vouched


@pytest.fixture
def schema(tenants):
    connection.set_tenant(tenants.a)
    assert not import_text(
        "customers", "erp_id;symbol;kind;name\nKB;KB0001;individual;Bulk\n"
    ).errors
    return tenants.a


HOSTILE = ["tab\there", "back\\slash", "line\nbreak", "\\N", "carriage\rreturn", "zażółć"]


def _invoices(names: list[str], gross: str = "10.00", start: int = 0) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = ["erp_id;number;customer_erp_id;issue_date;due_date;gross;buyer_name"]
    for i, name in enumerate(names, start=start):
        lines.append(f"BI{i};FV/B/{i};KB;2026-01-02;2026-01-20;{gross};{quoted(name)}")
    return "\n".join(lines) + "\n"


def test_every_character_is_stored_as_sent_by_copy_and_by_the_upsert(schema):
    first = import_text("invoices", _invoices(HOSTILE))  # new rows: COPY into the table
    assert (first.created, first.errors) == (len(HOSTILE), [])
    stored = dict(Invoice.objects.values_list("erp_id", "buyer_name"))
    assert stored == {f"BI{i}": name for i, name in enumerate(HOSTILE)}
    assert not Invoice.objects.filter(buyer_name__isnull=True).exists()

    changed = [f"{name}\t2" for name in HOSTILE]
    again = import_text("invoices", _invoices(changed, gross="11.00"))  # the upsert's COPY
    assert (again.updated, again.errors) == (len(HOSTILE), [])
    stored = dict(Invoice.objects.values_list("erp_id", "buyer_name"))
    assert stored == {f"BI{i}": name for i, name in enumerate(changed)}
    assert set(Invoice.objects.values_list("gross", flat=True)) == {Decimal("11.00")}


def _last_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_value FROM pg_sequences WHERE schemaname = current_schema() "
            "AND sequencename = split_part("
            "pg_get_serial_sequence('billing_invoice', 'id'), '.', 2)"
        )
        return cursor.fetchone()[0] or 0


def test_the_ids_are_reserved_in_the_tenant_s_own_sequence(schema, tenants):
    connection.set_tenant(tenants.b)
    b_before = _last_id()
    connection.set_tenant(tenants.a)
    result = import_text("invoices", _invoices([f"n{i}" for i in range(40)]))
    assert (result.created, result.errors) == (40, [])
    ids = sorted(Invoice.objects.filter(erp_id__startswith="BI").values_list("pk", flat=True))
    assert ids == list(range(ids[0], ids[0] + 40))  # one block, in the file's order
    assert _last_id() == ids[-1]
    connection.set_tenant(tenants.b)
    assert _last_id() == b_before  # tenant B's sequence did not move
    assert not Invoice.objects.filter(erp_id__startswith="BI").exists()


def test_a_reserved_block_that_meets_a_taken_id_falls_back_to_the_upsert(schema):
    taken = import_text("invoices", _invoices(["first"]))  # one row: the upsert, a default id
    assert taken.created == 1
    taken_id = Invoice.objects.get(erp_id="BI0").pk
    with connection.cursor() as cursor:  # as if another session drew ids meanwhile
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('billing_invoice', 'id'), %s)", [taken_id - 2]
        )
    result = import_text("invoices", _invoices([f"n{i}" for i in range(1, 5)], start=1))
    assert (result.created, result.errors) == (4, [])
    assert Invoice.objects.get(erp_id="BI0").pk == taken_id
    assert Invoice.objects.filter(erp_id__startswith="BI").count() == 5


def test_rows_of_other_shapes_in_one_batch_keep_each_its_own_values(schema):
    """JSON lines need not all name the same columns: what a row lacks is empty for that row
    only, whatever the rows before and after it carry."""
    lines = [
        '{"erp_id": "BJ1", "number": "FV/J/1", "customer_erp_id": "KB", "issue_date": '
        '"2026-01-02", "due_date": "2026-01-20", "gross": "10.00"}',
        '{"erp_id": "BJ2", "number": "FV/J/2", "customer_erp_id": "KB", "issue_date": '
        '"2026-01-02", "due_date": "2026-01-20", "gross": "20.00", "buyer_name": "Ktoś", '
        '"net": "16.26", "vat": "3.74"}',
        '{"erp_id": "BJ3", "number": "FV/J/3", "customer_erp_id": "KB", "issue_date": '
        '"2026-01-03", "due_date": "2026-01-21", "gross": "30.00"}',
        "not json",
        '{"erp_id": "BJ4", "number": "FV/J/4", "customer_erp_id": "KB", "issue_date": '
        '"2026-01-04", "due_date": "2026-01-22", "gross": "40.00", "buyer_name": "Inny"}',
    ]
    result = import_text("invoices", "\n".join(lines) + "\n")
    assert (result.created, [e["row"] for e in result.errors]) == (4, [4])
    stored = {
        i.erp_id: (i.buyer_name, i.net, i.gross)
        for i in Invoice.objects.filter(erp_id__startswith="BJ")
    }
    assert stored == {
        "BJ1": ("", None, Decimal("10.00")),
        "BJ2": ("Ktoś", Decimal("16.26"), Decimal("20.00")),
        "BJ3": ("", None, Decimal("30.00")),
        "BJ4": ("Inny", None, Decimal("40.00")),
    }
