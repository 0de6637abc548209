"""Meters, readings and collectors' remote reads through the ERP import: idempotent, per-row
errors, alarms raising the meter's alert."""

from __future__ import annotations

import json

import pytest

from billing.importing import import_text
from metering.models import MeterAlert, Reading, Register

pytestmark = pytest.mark.django_db


def test_meters_get_their_registers_and_a_resent_file_changes_nothing(meters):
    assert sorted(Register.objects.filter(meter=meters["e3"]).values_list("code", flat=True)) == [
        "day",
        "night",
    ]
    from metering.tests.conftest import BASE

    again = import_text("meters", BASE["meters"])
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])


def test_meter_rows_with_errors_are_reported_one_by_one(meters):
    payload = (
        "erp_id;serial_number;kind;premises_erp_id;installed_on;removed_on\n"
        "X1;S1;steam;M1;;\nX2;S2;gas;NOPE;;\nX3;S3;gas;M1;2024-01-02;2024-01-01\nX4;S4;gas;M1;;\n"
    )
    result = import_text("meters", payload)
    assert [(e["row"], e["code"]) for e in result.errors] == [
        (1, "invalid_choice"),
        (2, "unknown_reference"),
        (3, "conflict"),
    ]
    assert result.created == 1


def test_readings_of_an_unknown_register_or_a_negative_value_are_refused(meters):
    payload = "erp_id;meter_erp_id;register;read_at;value\nN1;W1;;2026-01-01;-5\nN2;E3;peak;2026-01-01;5\n"
    result = import_text("readings", payload)
    assert [(e["row"], e["code"]) for e in result.errors] == [
        (1, "invalid_number"),
        (2, "unknown_reference"),
    ]


def _telegram(**values) -> str:
    base = {
        "_": "telegram",
        "media": "water",
        "meter": "izar",
        "name": "",
        "id": "11110001",
        "total_m3": 140.125,
        "last_month_total_m3": 138.5,
        "last_month_measure_date": "2026-11-01",
        "current_alarms": "no_alarm",
        "previous_alarms": "no_alarm",
        "timestamp": "2026-11-20T10:00:00Z",
        "rssi_dbm": 107,
    }
    return json.dumps(base | values)


def test_collector_telegrams_are_readings_stored_once(meters):
    payload = "\n".join([_telegram(), _telegram(timestamp="2026-11-21T10:00:00Z", total_m3=140.5)])
    first = import_text("remote-reads", payload)
    assert (first.created, first.errors) == (2, [])
    again = import_text("remote-reads", payload)
    assert (again.created, again.unchanged) == (0, 2)
    reading = Reading.objects.get(erp_id="remote:11110001:2026-11-20T10:00:00Z")
    assert (reading.value, reading.source, str(reading.billing_date)) == (
        reading.value.__class__("140.125"),
        "remote",
        "2026-11-01",
    )
    assert MeterAlert.objects.count() == 0


def test_a_meters_own_alarm_raises_one_alert_a_day(meters):
    payload = "\n".join(
        [
            _telegram(current_alarms="leakage", timestamp="2026-11-22T01:00:00Z", total_m3=141),
            _telegram(current_alarms="leakage", timestamp="2026-11-22T02:00:00Z", total_m3=141.2),
        ]
    )
    assert import_text("remote-reads", payload).errors == []
    alert = MeterAlert.objects.get()
    assert (alert.meter, alert.kind, alert.detail) == (
        meters["w1"],
        "meter_alarm",
        {"alarms": "leakage"},
    )


def test_a_telegram_of_an_unknown_radio_id_is_a_row_error(meters):
    result = import_text("remote-reads", _telegram(id="99999999"))
    assert [e["code"] for e in result.errors] == ["unknown_reference"]
