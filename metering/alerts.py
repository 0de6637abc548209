"""Periodic work of the metering app, run in each tenant's schema: finding unusual consumption
(the tenant's rules in ``metering`` settings), telling customers about it, and the reading
windows' notices. Each job can run twice without telling anyone twice: what was sent is marked
in the same transaction as the message is written to the outbox."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone

from billing.models import LegalTitle
from core.http import tenant_base_url
from identity.models import User
from identity.selectors import current_config
from metering import consumption, selectors
from metering.models import Meter, MeterAlert, Reading, ReadingWindow
from notifications.services import notify_many
from tenants.policies import MeteringSettings

LITRE = Decimal("0.001")  # m³
WATER = (Meter.Kind.COLD_WATER, Meter.Kind.HOT_WATER)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=1)


def _hourly_use(points: list[consumption.Point]) -> dict[datetime, Decimal]:
    """Use per local hour from frequent (remote) reads: each interval of at most two hours is
    counted in the hour it ends in."""
    hours: dict[datetime, Decimal] = defaultdict(Decimal)
    for before, after in zip(points, points[1:], strict=False):
        if timedelta(0) < after.at - before.at <= timedelta(hours=2):
            hour = timezone.localtime(after.at - timedelta(microseconds=1)).replace(
                minute=0, second=0, microsecond=0
            )
            hours[hour] += max(after.value - before.value, Decimal(0))
    return hours


def _flow_alerts(meter: Meter, points: list[consumption.Point], day: date, rules: MeteringSettings):
    hours = _hourly_use(points)
    start, _end = _day_bounds(day)
    day_hours = [timezone.localtime(start + timedelta(hours=h)) for h in range(24)]
    threshold = rules.leak_litres_per_hour * LITRE
    found = []
    if all(hours.get(h, Decimal(0)) >= threshold for h in day_hours):
        found.append(
            (MeterAlert.Kind.CONTINUOUS_FLOW, {"litres_per_hour": rules.leak_litres_per_hour})
        )
    night = day_hours[rules.night_from_hour : rules.night_to_hour]
    if night and all(hours.get(h, Decimal(0)) > 0 for h in night):
        found.append(
            (MeterAlert.Kind.NIGHT_FLOW, {"from": rules.night_from_hour, "to": rules.night_to_hour})
        )
    return found


def _high_use(meter: Meter, points: list[consumption.Point], rules: MeteringSettings):
    """The latest interval's daily use against the usual in the same season."""
    spans = consumption.intervals([points])
    if len(spans) < 3:
        return []
    latest, history = spans[-1], spans[:-1]
    usual = consumption.average_daily_use(
        consumption.in_season(history, timezone.localtime(latest.end).month)
    ) or consumption.average_daily_use(history)
    days = Decimal((latest.end - latest.start).total_seconds()) / Decimal(86400)
    if not usual or days < 1:
        return []
    daily = latest.used / days
    if daily * 100 > usual * rules.alert_above_percent:
        return [
            (
                MeterAlert.Kind.HIGH_USE,
                {"daily": f"{daily:.3f}", "usual": f"{usual:.3f}", "unit": meter.unit},
            )
        ]
    return []


def alerts_detect(*, day: date | None = None) -> int:
    """Alerts for ``day`` (yesterday by default) on meters with readings that day; returns how
    many new ones."""
    rules = current_config().metering
    day = day or timezone.localdate() - timedelta(days=1)
    start, end = _day_bounds(day)
    read = (
        Reading.objects.filter(read_at__gte=start, read_at__lt=end, register__code="1")
        .exclude(status=Reading.Status.REJECTED)
        .values_list("register__meter_id", flat=True)
        .distinct()
    )
    created = 0
    for meter in Meter.objects.filter(pk__in=read, removed_on__isnull=True):
        rows = Reading.objects.filter(
            register__meter=meter, register__code="1", status__in=selectors.COUNTED
        ).order_by("read_at", "pk")
        points = [consumption.Point(at, v) for at, v in rows.values_list("read_at", "value")]
        found = _high_use(meter, [p for p in points if p.at < end], rules)
        if meter.kind in WATER:
            recent = [p for p in points if start - timedelta(hours=2) <= p.at <= end]
            found += _flow_alerts(meter, recent, day, rules)
        for kind, detail in found:
            _alert, new = MeterAlert.objects.get_or_create(
                meter=meter, kind=kind, detected_on=day, defaults={"detail": detail}
            )
            created += new
    return created


def _holders(premises_ids: set[int]) -> dict[int, set[int]]:
    """Users with a title to each premises: premises id -> user ids."""
    out: dict[int, set[int]] = defaultdict(set)
    for premises_id, user_id in LegalTitle.objects.filter(
        premises_id__in=premises_ids, customer__user__isnull=False
    ).values_list("premises_id", "customer__user_id"):
        out[premises_id].add(user_id)
    return out


def _link() -> str:
    return tenant_base_url() + reverse("metering_meters")


def _alert_values(alert: MeterAlert) -> dict:
    """In the recipient's language (called inside it): the kind's name is translated."""
    return {
        "meter": str(alert.meter),
        "kind": str(alert.get_kind_display()),
        "day": formats.date_format(alert.detected_on, "d.m.Y"),
    }


def alerts_notify() -> int:
    """Tell the customers of each new alert's premises by e-mail (once per alert)."""
    sent = 0
    with transaction.atomic():
        alerts = list(
            MeterAlert.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(notified_at__isnull=True, resolved_at__isnull=True)
            .select_related("meter")
        )
        holders = _holders({a.meter.premises_id for a in alerts})
        users = User.objects.in_bulk({u for ids in holders.values() for u in ids})
        for alert in alerts:
            told = [users[user_id] for user_id in sorted(holders.get(alert.meter.premises_id, ()))]
            sent += notify_many(
                users=told,
                event="meter_alert",
                key=str(alert.pk),
                link=_link(),
                context=partial(_alert_values, alert),
            )
            alert.notified_at = timezone.now()
            alert.save(update_fields=["notified_at"])
    return sent


def window_notices_send(*, today: date | None = None) -> int:
    """When a window opens, its customers are told until when to send their readings; when it
    closes within the tenant's number of days, those who have not sent one are reminded. Each
    notice goes once per window."""
    rules = current_config().metering
    today = today or timezone.localdate()
    sent = 0
    due = ReadingWindow.objects.filter(opens_on__lte=today, closes_on__gte=today).filter(
        Q(opening_notice_sent_at__isnull=True) | Q(closing_reminder_sent_at__isnull=True)
    )
    for window_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            window = (
                ReadingWindow.objects.select_for_update(skip_locked=True)
                .filter(pk=window_id)
                .first()
            )
            if window is None:
                continue
            closes = formats.date_format(window.closes_on, "d.m.Y")
            if window.opening_notice_sent_at is None:
                sent += _notify(
                    selectors.meters_covered(window=window),
                    "reading_window_open",
                    key=str(window.pk),
                    closes=closes,
                )
                window.opening_notice_sent_at = timezone.now()
            elif (
                window.closing_reminder_sent_at is None
                and (window.closes_on - today).days <= rules.reminder_days_before_close
            ):
                unread = selectors.meters_without_reading(window=window)
                sent += _notify(unread, "reading_window_closing", key=str(window.pk), closes=closes)
                window.closing_reminder_sent_at = timezone.now()
            window.save(update_fields=["opening_notice_sent_at", "closing_reminder_sent_at"])
    return sent


def _notify(meters, event: str, *, key: str, **values) -> int:
    """Tell the holders of the meters' premises, each by their channels; returns the messages
    written."""
    premises = set(meters.values_list("premises_id", flat=True))
    user_ids = {u for ids in _holders(premises).values() for u in ids}
    return notify_many(
        users=User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"),
        event=event,
        key=key,
        link=_link(),
        context=values,
    )
