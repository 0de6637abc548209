"""Demo meters and readings, written as the ERP and a meter collector would send them."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone


@dataclass(frozen=True)
class MeterPlan:
    """What meters a demo organisation's premises have (data of the demo tenant)."""

    # (kind, registers, daily use) per premises; registers "day,night" for a G12 meter.
    kinds: tuple[tuple[str, str, float], ...]
    # Every n-th electricity meter counts in two zones (G12); 0: none.
    two_zone_every: int = 0
    # The demo customer's flat also has heat-cost allocators.
    allocators: bool = False
    # The demo customer's first meter reports by radio, with a night flow like a leak.
    remote_leak: bool = False
    # The demo customer's last meter's legalisation ends within two months.
    legalisation_soon: bool = True


def _months_back(end: date, n: int) -> date:
    year, month = divmod(end.year * 12 + end.month - 1 - n, 12)
    return date(year, month + 1, 1)


def metering_files(*, plan: MeterPlan, customers: int, months: int, seed: int) -> dict[str, str]:
    """CSV for meters and readings, JSON lines for remote reads. Customer 0's meters (the demo
    customer's) are read every month; the others' every third month, to keep the demo small."""
    rng = random.Random(seed)  # noqa: S311 - invented demo data, not security
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    meters = [
        "erp_id;serial_number;kind;premises_erp_id;service_point_erp_id;location;installed_on;"
        "legalisation_valid_until;register_codes;remote_id"
    ]
    readings = ["erp_id;meter_erp_id;register;read_at;value;source"]
    remote: list[str] = []
    for i in range(customers):
        kinds = list(plan.kinds)
        if plan.allocators and i == 0:
            kinds += [("heat_cost_allocator", "1", 1.5), ("heat_cost_allocator", "1", 1.2)]
        for n, (kind, registers, daily) in enumerate(kinds):
            if kind == "electricity" and plan.two_zone_every and i % plan.two_zone_every == 0:
                registers = "day,night"
            erp = f"WM{i}-{n}"
            valid = date(today.year + 1 + (i + n) % 5, 12, 31)
            if plan.legalisation_soon and i == 0 and n == len(kinds) - 1:
                valid = today + timedelta(days=45)
            radio = f"{seed % 90 + 10:02d}{i:06d}" if plan.remote_leak and i == 0 and n == 0 else ""
            location = {"cold_water": "łazienka", "hot_water": "łazienka"}.get(kind, "")
            meters.append(
                f"{erp};{kind[:2].upper()}-{seed % 1000:03d}-{i:05d}-{n};{kind};M{i};SP{i};"
                f"{location};2015-01-01;{valid.isoformat()};{registers};{radio}"
            )
            step = 1 if i == 0 else 3
            last_day = today
            value = {code: Decimal(rng.randrange(100, 2000)) for code in registers.split(",")}
            for m in range(months, -1, -step):
                day = _months_back(today, m).replace(day=min(25, today.day if m == 0 else 25))
                if m == 0 and i == 0:
                    continue  # the demo customer's reading for this period is theirs to send
                last_day = day
                at = datetime.combine(day, time(18), tzinfo=zone)
                season = 1 + 0.25 * (1 if day.month in (11, 12, 1, 2, 3) else -1)
                for code in value:
                    share = 0.7 if code == "day" else 0.3 if code == "night" else 1.0
                    used = daily * share * season * 30.4 * step * rng.uniform(0.8, 1.2)
                    value[code] += Decimal(str(round(used, 3)))
                    readings.append(
                        f"R{erp}-{code}-{day:%Y%m};{erp};{code};{at.isoformat()};{value[code]:.3f};erp"
                    )
            if radio:
                # The radio reads go on from the last reading at the meter's usual pace.
                since = (today - timedelta(days=1) - last_day).days
                start = value["1"] + Decimal(str(round(daily * max(since, 0), 3)))
                remote += _leak_night(radio, start, today, zone)
    return {
        "meters": "\n".join(meters) + "\n",
        "readings": "\n".join(readings) + "\n",
        "remote-reads": "\n".join(remote) + "\n",
    }


def _leak_night(radio: str, start: Decimal, today: date, zone) -> list[str]:
    """Hourly telegrams of last night: water flowing in every hour, the meter's alarm on."""
    out, value = [], start
    night = datetime.combine(today - timedelta(days=1), time(22), tzinfo=zone)
    for hour in range(9):
        value += Decimal("0.025")
        at = (night + timedelta(hours=hour)).astimezone(UTC)
        out.append(
            json.dumps(
                {
                    "_": "telegram",
                    "media": "water",
                    "meter": "izar",
                    "id": radio,
                    "total_m3": float(value),
                    "current_alarms": "leakage" if hour >= 6 else "no_alarm",
                    "timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
        )
    return out
