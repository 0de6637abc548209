"""Answer deadlines in business days: Monday to Friday except Poland's public holidays (the
``holidays`` package, which follows the statute, Christmas Eve included from 2025)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("PL", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself does not count, as a
    letter's day of receipt does not)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def business_days_until(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``; negative when ``end`` is
    earlier (that many business days late)."""
    if end < start:
        return -business_days_until(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_business_day(day)
    return count
