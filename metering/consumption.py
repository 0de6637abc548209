"""Consumption arithmetic, as pure functions over readings (no database).

A register's consumption between two readings of the same meter is the difference of their
values. A replaced meter's chain is read meter by meter: the old meter's final reading and the new
meter's initial reading are never subtracted from each other, so consumption does not jump at a
replacement. Each interval's consumption is spread over the calendar months it spans in
proportion to time, rounded to the unit's thousandths with the remainder kept, so the months of
an interval always add up to exactly its consumption.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_FLOOR, Decimal

THOUSANDTH = Decimal("0.001")


@dataclass(frozen=True)
class Point:
    at: datetime
    value: Decimal


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    used: Decimal


def intervals(chain: Sequence[Sequence[Point]]) -> list[Interval]:
    """The consumption intervals of one register across a chain of meters (oldest meter first,
    each meter's readings oldest first). A value lower than the one before on the same meter
    (a counter that wrapped round, or a wrong record) counts as nothing used, never as a
    negative use."""
    out: list[Interval] = []
    for readings in chain:
        for before, after in zip(readings, readings[1:], strict=False):
            if after.at <= before.at:
                continue
            out.append(Interval(before.at, after.at, max(after.value - before.value, Decimal(0))))
    return out


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(start: datetime, zone: tzinfo) -> datetime:
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return datetime(year, month, 1, tzinfo=zone)


def _spread(interval: Interval, zone: tzinfo) -> list[tuple[date, Decimal]]:
    """One interval's use by the months of ``zone`` it spans, summing exactly to its use."""
    start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
    total_seconds = Decimal((end - start).total_seconds())
    pieces: list[tuple[date, Decimal]] = []
    cursor = start
    while cursor < end:
        boundary = min(_next_month(_month_start(cursor), zone), end)
        share = Decimal((boundary - cursor).total_seconds()) / total_seconds
        pieces.append((cursor.date().replace(day=1), interval.used * share))
        cursor = boundary
    # Largest remainder: floor every month to a thousandth, then hand the thousandths left over
    # to the months that lost most, so the months add up to the interval exactly.
    floors = [(month, raw.quantize(THOUSANDTH, rounding=ROUND_FLOOR), raw) for month, raw in pieces]
    left = interval.used.quantize(THOUSANDTH) - sum((f for _m, f, _r in floors), Decimal(0))
    order = sorted(range(len(floors)), key=lambda i: floors[i][2] - floors[i][1], reverse=True)
    amounts = [f for _m, f, _r in floors]
    steps = int(left / THOUSANDTH)
    for i in order[: max(steps, 0)]:
        amounts[i] += THOUSANDTH
    return [(floors[i][0], amounts[i]) for i in range(len(floors))]


def by_month(spans: Iterable[Interval], zone: tzinfo) -> dict[date, Decimal]:
    """Use per calendar month (the first day of each month as its key), oldest first."""
    months: dict[date, Decimal] = {}
    for interval in spans:
        for month, used in _spread(interval, zone):
            months[month] = months.get(month, Decimal(0)) + used
    return dict(sorted(months.items()))


def total(spans: Iterable[Interval]) -> Decimal:
    return sum((i.used for i in spans), Decimal(0))


def average_daily_use(spans: Iterable[Interval]) -> Decimal | None:
    """Use per day over the given intervals, or None when they cover less than a day."""
    spans = list(spans)
    days = Decimal(sum((i.end - i.start).total_seconds() for i in spans)) / Decimal(86400)
    if days < 1:
        return None
    return total(spans) / days


def in_season(spans: Iterable[Interval], month: int, *, width: int = 1) -> list[Interval]:
    """The intervals that end within ``width`` months either side of ``month`` (any year): the
    same season, for a baseline that knows summer from winter."""
    near = {((month - 1 + k) % 12) + 1 for k in range(-width, width + 1)}
    return [i for i in spans if i.end.month in near]
