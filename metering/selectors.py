"""Reads of meters and readings. Every function that takes an actor starts from billing's access
scope (``scope_for``): a customer sees the meters on premises it holds a title to, a manager
those on granted premises, staff every meter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from billing.models import LegalTitle
from billing.search import Found, customers_of_premises, spellings
from billing.selectors import Focus, scope_for
from core.access import Role
from identity.models import User
from metering import consumption
from metering.models import Meter, MeterAlert, Reading, ReadingWindow, Register
from tenants.policies import MeteringSettings

# Only accepted readings count: one waiting for review, or rejected, never moves a meter's latest
# value, the expected range or the consumption.
COUNTED = (Reading.Status.ACCEPTED,)


def meter_list(*, actor: User, focus: Focus | None = None) -> QuerySet[Meter]:
    scope = scope_for(actor, focus=focus)
    rows = Meter.objects.select_related("premises", "premises__building", "service_point")
    if scope.customer_ids is not None:
        rows = rows.filter(
            premises_id__in=LegalTitle.objects.filter(customer_id__in=scope.customer_ids).values(
                "premises_id"
            )
        )
    if scope.premises_ids is not None:
        rows = rows.filter(premises_id__in=scope.premises_ids)
    return rows.order_by(
        "premises__street", "premises__building_no", "premises__flat_no", "kind", "pk"
    )


def meter_get(*, actor: User, meter_id: int, focus: Focus | None = None) -> Meter | None:
    return meter_list(actor=actor, focus=focus).filter(pk=meter_id).first()


def history_start(*, actor: User, meter: Meter) -> date | None:
    """From when ``actor`` may see a meter's readings: a customer from the start of its title to
    the premises (a new owner never sees the previous owner's use); staff and managers all."""
    if actor.role != Role.CUSTOMER:
        return None
    return LegalTitle.objects.filter(premises_id=meter.premises_id, customer__user=actor).aggregate(
        start=Min("valid_from")
    )["start"]


def reading_list(*, actor: User, meter: Meter) -> QuerySet[Reading]:
    """A meter's readings, newest first, as far back as ``actor`` may see them (the meter must
    come from ``meter_get`` for the same actor)."""
    rows = Reading.objects.filter(register__meter=meter).select_related("register")
    start = history_start(actor=actor, meter=meter)
    if start is not None:
        rows = rows.filter(read_at__gte=_day_start(start))
    return rows.order_by("-read_at", "-id")


def reading_get(*, actor: User, reading_id: int) -> Reading | None:
    """A reading of a meter the actor sees, from when it may see them (photos go through
    here)."""
    reading = Reading.objects.select_related("register__meter").filter(pk=reading_id).first()
    if reading is None:
        return None
    meter = meter_get(actor=actor, meter_id=reading.register.meter_id)
    if meter is None:
        return None
    start = history_start(actor=actor, meter=meter)
    if start is not None and reading.read_at < _day_start(start):
        return None
    return reading


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# --- reading windows -----------------------------------------------------------------------


def _windows_for(meter: Meter) -> QuerySet[ReadingWindow]:
    building = meter.premises.building
    rows = ReadingWindow.objects.filter(
        Q(meter_kinds=[]) | Q(meter_kinds__contains=[meter.kind]),
        Q(building__isnull=True) | Q(building_id=meter.premises.building_id),
    )
    estate = building.estate if building is not None else ""
    return rows.filter(Q(estate="") | Q(estate=estate)) if estate else rows.filter(estate="")


def window_covers(window: ReadingWindow, meter: Meter) -> bool:
    """The rule of ``_windows_for`` for one window and meter, without a query (the meter's
    premises and building loaded)."""
    building = meter.premises.building
    return (
        (not window.meter_kinds or meter.kind in window.meter_kinds)
        and (window.building_id is None or window.building_id == meter.premises.building_id)
        and (not window.estate or (building is not None and building.estate == window.estate))
    )


@dataclass
class MeterState:
    """What a page shows of one meter today: its latest accepted reading per register, the
    reading window open for it (where the tenant uses windows), the customer's readings already
    sent in that window (or today, without windows) by register code, and the next window."""

    latest: list[Reading]
    window: ReadingWindow | None
    sent: dict[str, Reading]
    next_window: ReadingWindow | None


def meter_states(
    *, actor: User, meters: list[Meter], windows_required: bool, on: date
) -> dict[int, MeterState]:
    """``MeterState`` of each meter (premises and building loaded) in five queries, however
    many meters a page shows."""
    if not meters:
        return {}
    starts: dict[int, date] = {}
    if actor.role == Role.CUSTOMER:
        starts = dict(
            LegalTitle.objects.filter(
                premises_id__in={m.premises_id for m in meters}, customer__user=actor
            )
            .values("premises_id")
            .annotate(start=Min("valid_from"))
            .values_list("premises_id", "start")
        )
    # The newest accepted reading of each register; one older than what the actor may see
    # means it sees none of that register (every newer one would be newer still).
    premises_of = {m.pk: m.premises_id for m in meters}
    latest: dict[int, list[Reading]] = {m.pk: [] for m in meters}
    for reading in (
        Reading.objects.filter(register__meter__in=meters, status__in=COUNTED)
        .select_related("register")
        .order_by("register_id", "-read_at")
        .distinct("register_id")
    ):
        meter_id = reading.register.meter_id
        start = starts.get(premises_of[meter_id])
        if start is None or reading.read_at >= _day_start(start):
            latest[meter_id].append(reading)
    windows: list[ReadingWindow] = []
    coming: list[ReadingWindow] = []
    if windows_required:
        for window in ReadingWindow.objects.filter(closes_on__gte=on).order_by("opens_on", "pk"):
            (windows if window.opens_on <= on else coming).append(window)
        windows.sort(key=lambda w: (w.closes_on, w.pk), reverse=True)
    open_for = {m.pk: next((w for w in windows if window_covers(w, m)), None) for m in meters}
    sent_rows = Reading.objects.filter(
        register__meter__in=meters, source=Reading.Source.CUSTOMER
    ).exclude(status=Reading.Status.REJECTED)
    if windows_required:
        sent_rows = sent_rows.filter(window__in=[w for w in open_for.values() if w is not None])
    else:
        sent_rows = sent_rows.filter(
            read_at__gte=_day_start(on), read_at__lt=_day_start(on + timedelta(days=1))
        )
    sent: dict[int, dict[str, Reading]] = {m.pk: {} for m in meters}
    for reading in sent_rows.select_related("register").order_by("read_at"):
        meter_id = reading.register.meter_id
        if not windows_required or reading.window_id == getattr(open_for[meter_id], "pk", None):
            sent[meter_id][reading.register.code] = reading
    return {
        m.pk: MeterState(
            latest=sorted(latest[m.pk], key=lambda r: r.register.code),
            window=open_for[m.pk],
            sent=sent[m.pk],
            next_window=None
            if open_for[m.pk] is not None
            else next((w for w in coming if window_covers(w, m)), None),
        )
        for m in meters
    }


def window_open(*, meter: Meter, on: date) -> ReadingWindow | None:
    """The reading window open for ``meter`` on ``on`` (the one closing last, if several)."""
    return (
        _windows_for(meter)
        .filter(opens_on__lte=on, closes_on__gte=on)
        .order_by("-closes_on", "-pk")
        .first()
    )


def window_next(*, meter: Meter, after: date) -> ReadingWindow | None:
    return _windows_for(meter).filter(opens_on__gt=after).order_by("opens_on", "pk").first()


# --- consumption and plausibility -----------------------------------------------------------


def _chain(meter: Meter) -> list[Meter]:
    """The meter and the ones it replaced, oldest first."""
    chain = [meter]
    seen = {meter.pk}
    while chain[0].replaces_id and chain[0].replaces_id not in seen:
        previous = Meter.objects.filter(pk=chain[0].replaces_id).first()
        if previous is None:
            break
        seen.add(previous.pk)
        chain.insert(0, previous)
    return chain


def _points(register_ids: list[int], since: datetime | None) -> dict[int, list[consumption.Point]]:
    rows = Reading.objects.filter(register_id__in=register_ids, status__in=COUNTED)
    if since is not None:
        rows = rows.filter(read_at__gte=since)
    points: dict[int, list[consumption.Point]] = {r: [] for r in register_ids}
    for register_id, at, value in rows.order_by("read_at", "pk").values_list(
        "register_id", "read_at", "value"
    ):
        points[register_id].append(consumption.Point(at, value))
    return points


def register_intervals(
    *, meter: Meter, since: datetime | None = None
) -> dict[str, list[consumption.Interval]]:
    """Consumption intervals per register code, across the meter's replacement chain."""
    chain = _chain(meter)
    registers = list(Register.objects.filter(meter__in=chain).values_list("pk", "meter_id", "code"))
    points = _points([pk for pk, _m, _c in registers], since)
    out: dict[str, list[consumption.Interval]] = {}
    for code in dict.fromkeys(c for _p, _m, c in registers):
        per_meter = [
            points[pk]
            for m in chain
            for pk, meter_id, c in registers
            if meter_id == m.pk and c == code
        ]
        out[code] = consumption.intervals(per_meter)
    return out


@dataclass(frozen=True)
class Expected:
    """What a new reading of a register should be: at least ``low`` (the last one), and when the
    meter has a history, at most ``high``."""

    low: Decimal | None
    high: Decimal | None
    last: consumption.Point | None


def expected_reading(*, register: Register, at: datetime, rules: MeteringSettings) -> Expected:
    """The last counted reading of the register before ``at``, and the plausible ceiling: the
    usual daily use (same season of earlier years, else the whole history) times the tenant's
    margin, over the days since the last reading. One query."""
    points = [p for p in _points([register.pk], None)[register.pk] if p.at < at]
    if not points:
        return Expected(None, None, None)
    last = points[-1]
    spans = consumption.intervals([points])
    seasonal = consumption.in_season(spans, timezone.localtime(at).month)
    daily = consumption.average_daily_use(seasonal) or consumption.average_daily_use(spans)
    if not daily:
        return Expected(last.value, None, last)
    days = Decimal(max((at - last.at).total_seconds(), 86400)) / Decimal(86400)
    allowance = daily * days * Decimal(rules.implausible_above_percent) / Decimal(100)
    return Expected(last.value, (last.value + allowance).quantize(Decimal("0.001")), last)


def _meter_months(
    *, actor: User, meter: Meter, months: int, today: date
) -> tuple[dict[str, dict[date, Decimal]], tuple[datetime, datetime] | None]:
    """A meter's use by register and month, and the time its readings cover."""
    first = (today.replace(day=1) - timedelta(days=366 * ((months + 11) // 12 + 1))).replace(day=1)
    start = history_start(actor=actor, meter=meter)
    since = _day_start(max(first, start) if start else first)
    spans = register_intervals(meter=meter, since=since)
    zone = timezone.get_current_timezone()
    per_register = {code: consumption.by_month(s, zone) for code, s in spans.items()}
    every = [i for s in spans.values() for i in s]
    covered = (
        (
            timezone.localtime(min(i.start for i in every)),
            timezone.localtime(max(i.end for i in every)),
        )
        if every
        else None
    )
    return per_register, covered


def monthly_use(
    *, actor: User, meter: Meter, months: int = 24, today: date | None = None
) -> list[dict]:
    """Use per month over the last ``months`` months (all registers together, and per register),
    each beside the same month a year before, oldest first. A month is ``complete`` when
    readings cover it from its first day to its last (the current month, or months before the
    first reading, are only partly known)."""
    today = today or timezone.localdate()
    per_register, covered = _meter_months(actor=actor, meter=meter, months=months, today=today)
    return month_rows(per_register, months=months, today=today, covered=covered)


def premises_monthly_use(
    *, actor: User, meters: list[Meter], months: int = 24, today: date | None = None
) -> list[dict]:
    """The use of several meters of one premises and unit added up by month (main meters only:
    a sub-meter's use is already in its main meter's). A month is complete when every meter's
    readings cover it."""
    today = today or timezone.localdate()
    merged: dict[str, dict[date, Decimal]] = {}
    starts, ends = [], []
    for meter in meters:
        per_register, covered = _meter_months(actor=actor, meter=meter, months=months, today=today)
        merged.update({f"{meter.pk}:{code}": used for code, used in per_register.items()})
        if covered is not None:
            starts.append(covered[0])
            ends.append(covered[1])
    both = (max(starts), min(ends)) if starts and len(starts) == len(meters) else None
    return month_rows(merged, months=months, today=today, covered=both)


def month_rows(
    per_register: dict[str, dict[date, Decimal]],
    *,
    months: int,
    today: date,
    covered: tuple[datetime, datetime] | None = None,
) -> list[dict]:
    keys: list[date] = []
    cursor = today.replace(day=1)
    for _i in range(months):
        keys.insert(0, cursor)
        cursor = (cursor - timedelta(days=1)).replace(day=1)

    def complete(month: date) -> bool:
        if covered is None:
            return False
        following = (month + timedelta(days=32)).replace(day=1)
        return covered[0].date() <= month and covered[1].date() >= following

    rows = []
    for month in keys:
        year_before = month.replace(year=month.year - 1)
        registers = {code: used.get(month) for code, used in per_register.items()}
        known = [v for v in registers.values() if v is not None]
        before = [used[year_before] for used in per_register.values() if year_before in used]
        rows.append(
            {
                "month": month,
                "used": sum(known, Decimal(0)) if known else None,
                "year_before": sum(before, Decimal(0)) if before else None,
                "registers": registers,
                "complete": complete(month),
                "year_before_complete": complete(year_before),
            }
        )
    return rows


# --- the office ------------------------------------------------------------------------------


def review_queue() -> QuerySet[Reading]:
    """Readings waiting for staff, the oldest first."""
    return (
        Reading.objects.filter(status=Reading.Status.FLAGGED)
        .select_related("register__meter__premises", "submitted_by")
        .order_by("created_at", "pk")
    )


def legalisation_due(*, within_months: int, today: date | None = None) -> QuerySet[Meter]:
    today = today or timezone.localdate()
    until = today + timedelta(days=round(within_months * 30.44))
    return (
        Meter.objects.filter(removed_on__isnull=True, legalisation_valid_until__lte=until)
        .select_related("premises")
        .order_by("legalisation_valid_until", "pk")
    )


def meters_covered(*, window: ReadingWindow) -> QuerySet[Meter]:
    """Meters in service that a reading window applies to (the rule of ``window_covers``)."""
    rows = Meter.objects.filter(removed_on__isnull=True).select_related("premises")
    if window.meter_kinds:
        rows = rows.filter(kind__in=window.meter_kinds)
    if window.building_id:
        rows = rows.filter(premises__building_id=window.building_id)
    if window.estate:
        rows = rows.filter(premises__building__estate=window.estate)
    return rows


def meters_without_reading(*, window: ReadingWindow) -> QuerySet[Meter]:
    """Meters in service that the window covers and that have no reading taken in it."""
    rows = meters_covered(window=window)
    read = Reading.objects.filter(
        read_at__gte=_day_start(window.opens_on),
        read_at__lt=_day_start(window.closes_on + timedelta(days=1)),
    ).exclude(status=Reading.Status.REJECTED)
    return rows.exclude(pk__in=read.values("register__meter_id")).order_by(
        "premises__street", "premises__building_no", "premises__flat_no", "pk"
    )


def open_alerts(*, actor: User, focus: Focus | None = None) -> QuerySet[MeterAlert]:
    return (
        MeterAlert.objects.filter(
            resolved_at__isnull=True, meter__in=meter_list(actor=actor, focus=focus)
        )
        .select_related("meter")
        .order_by("-detected_on", "-pk")
    )


def meters_found(query: str) -> list[Found]:
    """The office's search: a meter's serial number (exactly, as printed on it) names the
    customers holding a title to its premises."""
    meters = list(
        Meter.objects.filter(serial_number__in=spellings(query))
        .order_by("pk")
        .values_list("premises_id", "serial_number")
    )
    holders = customers_of_premises(premises_id for premises_id, _serial in meters)
    return [
        Found(customer_id, gettext("Meter %(serial)s") % {"serial": serial})
        for premises_id, serial in meters
        for customer_id in holders.get(premises_id, [])
    ]
