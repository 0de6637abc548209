"""Meters for tests, created through the ERP import in tenant A (and, where a test says so,
the same ERP ids in tenant B with other values)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from billing.importing import import_text
from billing.models import Customer
from billing.services import customer_account_attach
from billing.tests.conftest import manager_of
from identity.services import user_create
from metering.models import Meter, ReadingWindow

PASSWORD = "RyBa18$05"  # noqa: S105 - a test account's password

BASE = {
    "customers": "erp_id;symbol;kind;name\nK1;L0000001;individual;Jan Licznikowy\n"
    "K2;L0000002;individual;Ewa Sąsiadka\n",
    "buildings": "erp_id;estate;street;building_no;city\nB1;Osiedle Zielone;Leśna;1;Lipiny\n"
    "B2;Osiedle Zielone;Polna;2;Lipiny\n",
    "premises": "erp_id;building_erp_id;kind;street;building_no;flat_no;city\n"
    "M1;B1;residential;Leśna;1;1;Lipiny\nM2;B1;residential;Leśna;1;2;Lipiny\n"
    "M3;B2;residential;Polna;2;1;Lipiny\n",
    "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\n"
    "T1;K1;M1;2020-01-01\nT2;K1;M3;2020-01-01\nT3;K2;M2;2020-01-01\n",
    "meters": "erp_id;serial_number;kind;premises_erp_id;location;installed_on;"
    "legalisation_valid_until;register_codes;remote_id\n"
    "W1;ZW-001;cold_water;M1;łazienka;2020-01-01;2029-12-31;;11110001\n"
    "W2;ZW-002;cold_water;M2;kuchnia;2020-01-01;2029-12-31;;\n"
    "E3;EL-003;electricity;M3;;2020-01-01;;day,night;\n",
}


def months_ago(n: int, day: int = 15):
    """Noon on ``day`` of the month ``n`` calendar months before this one (local time)."""
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - n, 12)
    return datetime(year, month + 1, day, 12, tzinfo=timezone.get_current_timezone())


def history_csv(rows: list[tuple[str, str, str, object]]) -> str:
    """readings as ``(erp_id, meter_erp_id, register, (moment, value))`` rows"""
    lines = ["erp_id;meter_erp_id;register;read_at;value"]
    lines += [f"{e};{m};{r};{at.isoformat()};{v}" for e, m, r, (at, v) in rows]
    return "\n".join(lines) + "\n"


def load(files: dict[str, str]) -> None:
    for entity, payload in files.items():
        result = import_text(entity, payload)
        assert result.errors == [], (entity, result.errors)


@pytest.fixture
def meters(tenants, set_config):
    """Tenant A with readings switched on: K1 (account ``L0000001``) has water meter W1 on M1
    and a G12 electricity meter E3 on M3; K2 (``L0000002``) has W2 on M2. W1 has a year of
    monthly readings (about 3 m³ a month); a reading window is open for every meter."""
    connection.set_tenant(tenants.a)
    set_config(modules=["meters", "readings", "charges"])
    load(BASE)
    rows = [(f"R{i}", "W1", "", (months_ago(12 - i), f"{100 + 3 * i}.000")) for i in range(12)]
    rows += [
        ("E1", "E3", "day", (months_ago(2), "500.000")),
        ("E2", "E3", "night", (months_ago(2), "200.000")),
    ]
    load({"readings": history_csv(rows)})
    owner = user_create(login="L0000001", password=PASSWORD, email="jan@example.com")
    neighbour = user_create(login="L0000002", password=PASSWORD, email="ewa@example.com")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=owner)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K2").pk], user=neighbour)
    today = timezone.localdate()
    window = ReadingWindow.objects.create(
        name="Jesień", opens_on=today - timedelta(days=3), closes_on=today + timedelta(days=10)
    )
    return {
        "owner": owner,
        "neighbour": neighbour,
        "window": window,
        "w1": Meter.objects.get(erp_id="W1"),
        "w2": Meter.objects.get(erp_id="W2"),
        "e3": Meter.objects.get(erp_id="E3"),
    }


@pytest.fixture
def manager(meters):
    """A property manager granted M1 only (K1's other premises M3 is not covered)."""
    return manager_of("M1", password=PASSWORD)


def assert_queries_flat_with_more_meters(client, path: str, host: str) -> None:
    """The page at ``path`` asks as many queries with fifteen more meters as with a few."""
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, HTTP_HOST=host).status_code == 200
        return len(queries.captured_queries)

    count()  # the session and the tenant's caches are warm
    few = count()
    more = "".join(f"X{i};SX-{i};cold_water;M1\n" for i in range(15))
    assert import_text("meters", "erp_id;serial_number;kind;premises_erp_id\n" + more).errors == []
    assert count() == few
