"""Consumption arithmetic: months add up exactly to the use between readings, across a meter's
replacement and across the registers of a two-zone meter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from metering import consumption
from metering.consumption import Point

WARSAW = ZoneInfo("Europe/Warsaw")
START = datetime(2023, 1, 1, 12, tzinfo=UTC)


def _series(steps: list[tuple[int, int]], start_value: int, start: datetime) -> list[Point]:
    """Readings from (hours after the previous one, thousandths used since) pairs."""
    points, at, value = [Point(start, Decimal(start_value) / 1000)], start, start_value
    for hours, used in steps:
        at, value = at + timedelta(hours=hours), value + used
        points.append(Point(at, Decimal(value) / 1000))
    return points


steps = st.lists(
    st.tuples(st.integers(1, 24 * 120), st.integers(0, 50_000)), min_size=1, max_size=12
)


@settings(max_examples=60, deadline=None)
@given(old=steps, new=steps, old_start=st.integers(0, 10**6), new_start=st.integers(0, 10**4))
def test_months_of_a_replaced_meter_add_up_to_both_meters_use(old, new, old_start, new_start):
    first = _series(old, old_start, START)
    second = _series(new, new_start, first[-1].at)  # the new meter starts where the old one ended
    spans = consumption.intervals([first, second])
    months = consumption.by_month(spans, WARSAW)
    expected = (first[-1].value - first[0].value) + (second[-1].value - second[0].value)
    assert sum(months.values(), Decimal(0)) == expected
    assert all(v >= 0 for v in months.values())
    # The old meter's last value and the new one's first are never subtracted: no jump.
    assert consumption.total(spans) == expected


@settings(max_examples=40, deadline=None)
@given(day=steps, night=steps)
def test_a_two_zone_meter_uses_the_sum_of_its_zones(day, night):
    per_zone = {
        code: consumption.by_month(consumption.intervals([_series(s, 1000, START)]), WARSAW)
        for code, s in (("day", day), ("night", night))
    }
    together = consumption.by_month(
        consumption.intervals([_series(day, 1000, START)])
        + consumption.intervals([_series(night, 1000, START)]),
        WARSAW,
    )
    for month, used in together.items():
        assert used == sum((z.get(month, Decimal(0)) for z in per_zone.values()), Decimal(0))


def test_an_interval_is_spread_over_months_by_time():
    # 31 days of January and 28 of February (2023), 59 m³: 31 and 28.
    a = Point(datetime(2023, 1, 1, tzinfo=WARSAW), Decimal("100"))
    b = Point(datetime(2023, 3, 1, tzinfo=WARSAW), Decimal("159"))
    months = consumption.by_month(consumption.intervals([[a, b]]), WARSAW)
    assert months == {
        date(2023, 1, 1): Decimal("31.000"),
        date(2023, 2, 1): Decimal("28.000"),
    }


def test_a_drop_on_the_same_meter_counts_as_nothing_used():
    a, b, c = (
        Point(START + timedelta(days=d), Decimal(v)) for d, v in ((0, "50"), (10, "40"), (20, "45"))
    )
    spans = consumption.intervals([[a, b, c]])
    assert [s.used for s in spans] == [Decimal(0), Decimal(5)]
