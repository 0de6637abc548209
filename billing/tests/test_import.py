"""The ERP import: idempotent upserts, per-row errors, dry runs, derived paid state."""

from decimal import Decimal

import pytest
from django.db import connection

from billing.importing import import_text
from billing.models import Charge, Customer, Invoice, PaymentReceived

pytestmark = pytest.mark.django_db

CUSTOMERS = """erp_id;symbol;kind;name;pesel;nip;street;building_no;flat_no;postcode;city;email
K1;L0000001;individual;Jan Testowy;44051401359;;Leśna;1;2;11-001;Nowe Lipiny;jan@example.com
K2;L0000002;business;Firma Testowa Sp. z o.o.;;5260250274;Polna;3;;11-001;Nowe Lipiny;
"""


@pytest.fixture
def schema(tenants):
    connection.set_tenant(tenants.a)
    return tenants.a


def test_customers_are_created_and_pesel_is_never_stored(schema):
    result = import_text("customers", CUSTOMERS)
    assert (result.created, result.updated, result.unchanged, result.errors) == (2, 0, 0, [])
    jan = Customer.objects.get(erp_id="K1")
    assert jan.pesel_masked == "*******1359"
    assert len(jan.pesel_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM billing_customer")
        assert "44051401359" not in str(cursor.fetchall())


def test_the_same_file_twice_changes_nothing(schema):
    import_text("customers", CUSTOMERS)
    before = list(Customer.objects.order_by("erp_id").values())
    again = import_text("customers", CUSTOMERS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Customer.objects.order_by("erp_id").values()) == before


def test_a_changed_row_is_updated(schema):
    import_text("customers", CUSTOMERS)
    changed = import_text("customers", CUSTOMERS.replace("Jan Testowy", "Jan Zmieniony"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Customer.objects.get(erp_id="K1").name == "Jan Zmieniony"


def test_rows_in_error_change_nothing_and_are_reported_per_row(schema):
    import_text("customers", CUSTOMERS)
    bad = """erp_id;symbol;kind;name;pesel;city
K1;L0000001;individual;Nowa nazwa;44051401358;X
K3;L0000003;individual;;;X
K4;L0000002;individual;Kolizja symbolu;;X
K5;L0000005;alien;Ktoś;;X
K6;L0000006;individual;Poprawny;;Nowe Lipiny
K6;L0000007;individual;Powtórzony;;X
"""
    result = import_text("customers", bad)
    assert [(e["row"], e["field"], e["code"]) for e in result.errors] == [
        (1, "pesel", "invalid_pesel"),
        (2, "name", "required"),
        (3, None, "conflict"),
        (4, "kind", "invalid_choice"),
        (6, "erp_id", "duplicate"),
    ]
    assert result.errors[2]["detail"] == "Ten symbol należy do innego klienta."
    assert (result.created, result.updated) == (1, 0)
    assert Customer.objects.get(erp_id="K1").name == "Jan Testowy"
    assert not Customer.objects.filter(erp_id__in=["K3", "K4", "K5"]).exists()
    assert Customer.objects.get(erp_id="K6").name == "Poprawny"


def test_dry_run_reports_but_writes_nothing(schema):
    result = import_text("customers", CUSTOMERS, dry_run=True)
    assert (result.created, result.errors) == (2, [])
    assert not Customer.objects.exists()


def test_unknown_references_are_row_errors(schema):
    import_text("customers", CUSTOMERS)
    charges = """erp_id;customer_erp_id;component;period;amount;due_date
C1;K1;Eksploatacja;2026-01-15;123,45;2026-01-10
C2;K9;Eksploatacja;2026-01-01;10.00;2026-01-10
C3;K1;Woda;2026-01-01;12.345;2026-01-10
"""
    result = import_text("charges", charges)
    assert [(e["row"], e["code"]) for e in result.errors] == [
        (2, "unknown_reference"),
        (3, "invalid_amount"),
    ]
    charge = Charge.objects.get(erp_id="C1")
    assert (charge.amount, charge.period.day) == (Decimal("123.45"), 1)


def test_payments_set_the_invoice_paid_state_idempotently(schema):
    import_text("customers", CUSTOMERS)
    import_text(
        "invoices",
        "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
        "F1;FV/1/2026;K1;2026-01-05;2026-01-20;100.00\nF2;FV/2/2026;K1;2026-02-05;2026-02-20;50.00\n",
    )
    payments = (
        "erp_id;customer_erp_id;invoice_erp_id;paid_on;amount;title\n"
        "P1;K1;F1;2026-01-18;60.00;FV/1\n"
        "P2;K1;F1;2026-01-19;40.00;FV/1 reszta\n"
        "P3;K1;F2;2026-02-10;20.00;FV/2\n"
    )
    import_text("payments-received", payments)
    first, second = Invoice.objects.get(erp_id="F1"), Invoice.objects.get(erp_id="F2")
    assert (first.paid, first.is_paid) == (Decimal("100.00"), True)
    assert (second.paid, second.is_paid, second.outstanding) == (
        Decimal("20.00"),
        False,
        Decimal("30.00"),
    )
    again = import_text("payments-received", payments)
    assert again.unchanged == 3
    assert PaymentReceived.objects.count() == 3
    assert Invoice.objects.get(erp_id="F1").paid == Decimal("100.00")


def test_json_lines_are_accepted(schema):
    lines = (
        '{"erp_id": "K7", "symbol": "L0000007", "kind": "individual", "name": "Anna JSON"}\n'
        "not json\n"
    )
    result = import_text("customers", lines)
    assert result.created == 1
    assert [(e["row"], e["code"]) for e in result.errors] == [(2, "invalid_row")]


def test_imports_are_per_tenant(schema, tenants):
    import_text("customers", CUSTOMERS)
    connection.set_tenant(tenants.b)
    assert not Customer.objects.exists()


def test_another_app_registers_an_entity_of_its_own(tenants):
    """The engine is a registry: an app above billing (metering's readings, say) adds its entity
    with its spec and label, and the import, its labels and the API's list know it."""
    from django.db import connection

    from billing import models
    from billing.importing import ENTITIES, ENTITY_LABELS, entity_label, import_text
    from billing.importing.columns import Column, EntitySpec, text
    from billing.importing.engine import register_entity

    connection.set_tenant(tenants.a)
    spec = EntitySpec(
        "estates",
        models.Building,
        (
            Column("erp_id", text(64)),
            Column("street", text(120)),
            Column("building_no", text(20)),
            Column("city", text(80)),
        ),
    )
    register_entity("estates", spec, "Osiedla")
    try:
        result = import_text("estates", "erp_id;street;building_no;city\nE1;Polna;1;Lipiny\n")
        assert (result.created, result.errors) == (1, [])
        assert entity_label("estates") == "Osiedla"
        assert models.Building.objects.get(erp_id="E1").street == "Polna"
    finally:
        ENTITIES.pop("estates")
        ENTITY_LABELS.pop("estates")


def test_a_files_rows_are_counted_without_reading_them_into_memory():
    from billing.importing import check_readable

    csv_text = 'erp_id;name\nK1;"Jan\nKowalski"\n\nK2;Ewa\n'  # a quoted line break, a blank line
    assert check_readable(csv_text) == 2
    assert check_readable('{"erp_id": "K1"}\n\n{"erp_id": "K2"}\n') == 2
    assert check_readable("erp_id;name\n") == 0
    assert check_readable("") == 0
