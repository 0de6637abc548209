"""Invoices imported outside any transaction, as a worker runs it: batches are written by two
writer threads on connections of their own while the next is read. A corrective invoice naming
an invoice of an earlier batch (perhaps still being written) finds it; every row is written once."""

from __future__ import annotations

import pytest

from billing.importing import engine
from core.testing import in_thread

pytestmark = pytest.mark.django_db

ROWS = 1000


@pytest.fixture
def committed(tenants, monkeypatch):
    from billing.importing import import_text
    from billing.models import Customer

    monkeypatch.setattr(engine, "BATCH", 100)  # many batches from a small file

    def setup():
        assert not import_text(
            "customers", "erp_id;symbol;kind;name\nWIK;WIK0001;individual;Wątkowy Klient\n"
        ).errors

    def cleanup():
        Customer.objects.filter(erp_id="WIK").delete()  # its invoices go with it

    in_thread(tenants.a, setup)
    yield
    in_thread(tenants.a, cleanup)


def _invoices() -> str:
    """Invoices of which every second one from the second batch on corrects the invoice one
    batch (100 rows) before it."""
    lines = ["erp_id;number;kind;customer_erp_id;issue_date;due_date;gross;corrects_erp_id"]
    for i in range(ROWS):
        corrects = f"WIF{i - 100}" if i >= 100 and i % 2 else ""
        kind = "correction" if corrects else "invoice"
        lines.append(f"WIF{i};FV/W/{i};{kind};WIK;2026-01-02;2026-01-20;10.00;{corrects}")
    return "\n".join(lines) + "\n"


def test_corrections_of_invoices_a_batch_before_are_resolved_with_two_writers(tenants, committed):
    from django.db import connection

    from billing.importing import import_text
    from billing.models import Invoice

    def run():
        assert not connection.in_atomic_block  # the writers' path
        return import_text("invoices", _invoices())

    result = in_thread(tenants.a, run)
    assert result.errors == []
    assert (result.created, result.updated) == (ROWS, 0)
    pairs = in_thread(
        tenants.a,
        lambda: list(
            Invoice.objects.filter(customer__erp_id="WIK", corrects__isnull=False).values_list(
                "erp_id", "corrects__erp_id"
            )
        ),
    )
    assert len(pairs) == (ROWS - 100) // 2
    assert all(int(c[3:]) == int(e[3:]) - 100 for e, c in pairs)
    again = in_thread(tenants.a, run)
    assert (again.created, again.updated, again.unchanged) == (0, 0, ROWS)


def test_a_writer_s_unexpected_error_reaches_the_caller(tenants, committed, monkeypatch):
    """Not a database refusal but a defect: the import fails loudly instead of waiting forever."""
    import threading

    from billing.importing import import_text

    original = engine._write_batch

    def broken(spec, valid, result):
        if threading.current_thread().name.startswith("import-writer"):
            raise RuntimeError("a defect in a writer")
        return original(spec, valid, result)

    monkeypatch.setattr(engine, "_write_batch", broken)
    with pytest.raises(RuntimeError, match="a defect in a writer"):
        in_thread(tenants.a, lambda: import_text("invoices", _invoices()))
