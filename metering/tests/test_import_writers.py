"""The readings import outside any transaction, as a worker runs it: batches are written by two
writer threads on connections of their own. The result must be the same as one writer's, also
when a writer's batch fails (a deadlock beside another batch) and is written again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError

from billing.importing import engine
from metering.tests.test_race import _in_thread

pytestmark = pytest.mark.django_db

METERS = "erp_id;serial_number;kind;premises_erp_id\n" + "".join(
    f"WRW{i};WR-{i};cold_water;WRM\n" for i in range(3)
)


def _readings(rows: int, *, bad: bool = False) -> str:
    """``rows`` readings of three meters, one a minute each, rising."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    lines = ["erp_id;meter_erp_id;read_at;value"]
    lines += [
        f"WRR{i};WRW{i % 3};{(start + timedelta(minutes=i // 3)).isoformat()};{i}.000"
        for i in range(rows)
    ]
    if bad:
        lines.append("WRBAD;NOPE;2024-01-01;1")  # an unknown meter: a row error
    return "\n".join(lines) + "\n"


@pytest.fixture
def committed(tenants, monkeypatch):
    """Premises and meters committed in tenant B (which takes readings), removed afterwards."""
    from billing.importing import import_text
    from billing.models import Premises
    from metering.models import Meter, Reading

    monkeypatch.setattr(engine, "BATCH", 100)  # many batches from a small file

    def setup():
        assert not import_text(
            "premises", "erp_id;kind;street;building_no;city\nWRM;residential;Wątkowa;1;X\n"
        ).errors
        assert not import_text("meters", METERS).errors

    def cleanup():
        Reading.objects.filter(register__meter__erp_id__startswith="WRW").delete()
        Meter.objects.filter(erp_id__startswith="WRW").delete()
        Premises.objects.filter(erp_id="WRM").delete()

    _in_thread(tenants.b, setup)
    yield
    _in_thread(tenants.b, cleanup)


def _import(payload: str):
    from django.db import connection

    from billing.importing import import_text

    assert not connection.in_atomic_block  # the writers' path
    return import_text("readings", payload)


def test_two_writers_store_every_row_once_and_a_resent_file_changes_nothing(tenants, committed):
    first = _in_thread(tenants.b, lambda: _import(_readings(1000, bad=True)))
    assert (first.total, first.created, first.updated) == (1001, 1000, 0)
    assert [(e["row"], e["code"]) for e in first.errors] == [(1001, "unknown_reference")]
    again = _in_thread(tenants.b, lambda: _import(_readings(1000)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1000)

    from metering.models import Reading

    assert (
        _in_thread(tenants.b, lambda: Reading.objects.filter(erp_id__startswith="WRR").count())
        == 1000
    )


def test_a_batch_a_writer_could_not_write_is_written_again(tenants, committed, monkeypatch):
    original = engine._write_batch
    failed: list[int] = []

    def flaky(spec, valid, result):
        import threading

        if threading.current_thread().name.startswith("import-writer") and not failed:
            failed.append(len(valid))
            raise DatabaseError("deadlock detected")
        return original(spec, valid, result)

    monkeypatch.setattr(engine, "_write_batch", flaky)
    result = _in_thread(tenants.b, lambda: _import(_readings(500)))
    assert failed == [100]
    assert (result.created, result.errors) == (500, [])
