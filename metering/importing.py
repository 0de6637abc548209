"""Metering's entities of the ERP import (registered in ``MeteringConfig.ready``): meters,
readings, and remote reads as meter collectors write them (wmbusmeters' JSON lines)."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from billing.importing import (
    Column,
    EntitySpec,
    Reference,
    Row,
    choice,
    day,
    flag,
    moment,
    quantity,
    text,
)
from billing.models import Premises, ServicePoint
from metering.models import Meter, Reading, Register

# The unit a meter counts in when the file does not say.
DEFAULT_UNITS = {
    Meter.Kind.COLD_WATER: Meter.Unit.M3,
    Meter.Kind.HOT_WATER: Meter.Unit.M3,
    Meter.Kind.GAS: Meter.Unit.M3,
    Meter.Kind.HEAT: Meter.Unit.GJ,
    Meter.Kind.HEAT_COST_ALLOCATOR: Meter.Unit.UNITS,
    Meter.Kind.ELECTRICITY: Meter.Unit.KWH,
}


def _meter_transform(row: dict) -> dict:
    row["unit"] = row["unit"] or DEFAULT_UNITS[row["kind"]]
    codes = [c.strip() for c in (row["register_codes"] or "1").split(",") if c.strip()]
    row["register_codes"] = ",".join(dict.fromkeys(codes)) or "1"
    return row


def _meter_registers(ids: list[int]) -> None:
    """Every register a meter lists exists (registers are added, never dropped: their readings
    stay)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO metering_register (erp_id, meter_id, code) "
            "SELECT m.erp_id || '/' || c.code, m.id, c.code FROM metering_meter m "
            "CROSS JOIN LATERAL unnest(string_to_array(m.register_codes, ',')) AS c(code) "
            "WHERE m.id = ANY(%s) ON CONFLICT DO NOTHING",
            [ids],
        )


def _reading_prepare(row: Row) -> Row:
    """``meter_erp_id`` and ``register`` (the code; the meter's only register when absent)
    name the register a reading is of."""
    if "meter_erp_id" not in row:
        return row
    # The row is the reader's own (a fresh dict per row): reshaped in place.
    meter = str(row.pop("meter_erp_id") or "").strip()
    code = str(row.pop("register", "") or "").strip() or "1"
    row["register_erp_id"] = f"{meter}/{code}" if meter else ""
    return row


# wmbusmeters names the total by what it measures; the first one present is the reading.
_TOTALS = (
    "total_m3",
    "total_energy_consumption_kwh",
    "total_kwh",
    "total_energy_consumption_gj",
    "total_gj",
    "current_consumption_hca",
)
_BILLING_DATE = (("target_m3", "target_date"), ("last_month_total_m3", "last_month_measure_date"))
_NO_ALARM = {"", "ok", "no_alarm", "none", "null"}


def _remote_prepare(row: Row) -> Row:
    """One collector telegram as a reading of the meter's register: ``id`` is the meter's radio
    id, the reading is made up of it and the telegram's ``timestamp`` (so a telegram sent twice
    is stored once), and the meter's own alarms are kept for the alert."""
    if "__error__" in row:
        return row
    meter_id = str(row.get("id", "")).strip()
    at = str(row.get("timestamp", "")).strip()
    out: Row = {
        "erp_id": f"remote:{meter_id}:{at}" if meter_id and at else "",
        "meter_remote_id": meter_id,
        "read_at": at,
        "value": next((row[k] for k in _TOTALS if str(row.get(k, "")).strip()), ""),
        "source": Reading.Source.REMOTE,
    }
    for value_key, date_key in _BILLING_DATE:
        if str(row.get(value_key, "")).strip() and str(row.get(date_key, "")).strip():
            out["billing_date_value"], out["billing_date"] = row[value_key], row[date_key]
            break
    alarms = [
        str(row.get(k, "")).strip()
        for k in ("current_alarms", "current_status")
        if str(row.get(k, "")).strip().casefold() not in _NO_ALARM
    ]
    out["alarms"] = " ".join(a for a in alarms if a)[:200]
    return out


def _remote_alerts(ids: list[int]) -> None:
    """A meter's own alarm (leakage, back flow, burst) raises its alert, once a day."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO metering_meteralert (meter_id, kind, detected_on, detail, created_at) "
            "SELECT g.meter_id, 'meter_alarm', (r.read_at AT TIME ZONE %s)::date, "
            "jsonb_build_object('alarms', r.alarms), now() "
            "FROM metering_reading r JOIN metering_register g ON g.id = r.register_id "
            "WHERE r.id = ANY(%s) AND r.alarms <> '' ON CONFLICT DO NOTHING",
            [_zone(), ids],
        )


def _zone() -> str:
    return str(timezone.get_current_timezone())


SPECS: dict[str, tuple[EntitySpec, object]] = {
    "meters": (
        EntitySpec(
            "meters",
            Meter,
            (
                Column("erp_id", text(64)),
                Column("serial_number", text(64)),
                Column("kind", choice(*Meter.Kind.values)),
                Column("unit", choice(*Meter.Unit.values), required=False),
                Column("location", text(120), required=False),
                Column("installed_on", day, required=False),
                Column("removed_on", day, required=False),
                Column("legalisation_valid_until", day, required=False),
                Column("is_main", flag, required=False, default=True),
                Column("register_codes", text(120), required=False),
                Column("remote_id", text(32), required=False),
            ),
            references=(
                Reference("premises_erp_id", Premises, "premises_id"),
                Reference("service_point_erp_id", ServicePoint, "service_point_id", required=False),
                Reference("replaces_erp_id", Meter, "replaces_id", required=False),
            ),
            transform=_meter_transform,
            after=_meter_registers,
            messages={
                "metering_meter_replaces_id_key": gettext_lazy(
                    "Another meter already replaces that meter."
                ),
                "meter_removed_after_installed": gettext_lazy(
                    "A meter cannot be removed before it was installed."
                ),
            },
        ),
        gettext_lazy("Meters"),
    ),
    "readings": (
        EntitySpec(
            "readings",
            Reading,
            (
                Column("erp_id", text(128)),
                Column("value", quantity),
                Column("read_at", moment),
                Column(
                    "source",
                    choice(*Reading.Source.values),
                    required=False,
                    default=Reading.Source.ERP,
                ),
            ),
            references=(Reference("register_erp_id", Register, "register_id"),),
            prepare=_reading_prepare,
            parallel=True,
            messages={
                "reading_one_per_register_moment": gettext_lazy(
                    "This register already has a reading at that moment."
                ),
            },
        ),
        gettext_lazy("Meter readings"),
    ),
    "remote-reads": (
        EntitySpec(
            "remote-reads",
            Reading,
            (
                Column("erp_id", text(128)),
                Column("value", quantity),
                Column("read_at", moment),
                Column("source", choice(Reading.Source.REMOTE)),
                Column("alarms", text(200), required=False),
                Column("billing_date", day, required=False),
                Column("billing_date_value", quantity, required=False),
            ),
            references=(
                Reference(
                    "meter_remote_id",
                    Register,
                    "register_id",
                    key="meter__remote_id",
                    where={"code": "1", "meter__removed_on__isnull": True},
                ),
            ),
            prepare=_remote_prepare,
            parallel=True,
            after=_remote_alerts,
            messages={
                "reading_one_per_register_moment": gettext_lazy(
                    "This register already has a reading at that moment."
                ),
            },
        ),
        gettext_lazy("Remote meter reads"),
    ),
}
