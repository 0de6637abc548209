"""The counts the manager of an office asks for: accounts by state, registrations and logins by
week, e-invoice adoption. Reads only, a few aggregate queries each, weeks and months in the
tenant's time zone; shown as charts with the same figures in tables, and as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import Customer, EInvoiceConsent, EInvoiceConsentEvent
from core.access import PORTAL_ROLES
from identity import services as identity_services
from identity.models import AuthEvent, RegistrationRequest, User

WEEKS = 12


@dataclass(frozen=True)
class Report:
    """A table: its columns' titles and its rows (the first column the period or the state)."""

    key: str
    title: object
    columns: tuple[object, ...]
    rows: list[tuple]
    chart_column: int = 1  # the column the bars show


def _weeks(today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _since(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _by_week(rows, field: str, **counts) -> dict[date, dict[str, int]]:
    out: dict[date, dict[str, int]] = {}
    for row in (
        rows.annotate(week=TruncWeek(field, tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(**counts)
    ):
        out[_day(row["week"])] = row
    return out


def _day(value) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def accounts_by_state() -> Report:
    accounts = User.objects.filter(role__in=sorted(PORTAL_ROLES))
    figures = accounts.aggregate(
        active=Count("pk", filter=Q(is_active=True, last_login__isnull=False)),
        never=Count("pk", filter=Q(is_active=True, last_login__isnull=True)),
        must_change=Count("pk", filter=Q(is_active=True, must_change_password=True)),
        blocked=Count("pk", filter=Q(is_active=False)),
    )
    locked = sum(1 for u in identity_services.locked_users() if u.role in PORTAL_ROLES)
    return Report(
        "accounts",
        _("Accounts by state"),
        (_("State"), _("Accounts")),
        [
            (_("Active, logged in at least once"), figures["active"]),
            (_("Active, never logged in"), figures["never"]),
            (_("Must set a new password"), figures["must_change"]),
            (_("Locked after failed logins"), locked),
            (_("Blocked by the office"), figures["blocked"]),
        ],
    )


def registrations_by_week(today: date | None = None) -> Report:
    weeks = _weeks(today or timezone.localdate())
    since = _since(weeks[0])
    requests = _by_week(
        RegistrationRequest.objects.filter(created_at__gte=since),
        "created_at",
        received=Count("pk"),
        completed=Count("pk", filter=Q(status=RegistrationRequest.Status.COMPLETED)),
    )
    opened = _by_week(
        User.objects.filter(role__in=sorted(PORTAL_ROLES), date_joined__gte=since),
        "date_joined",
        opened=Count("pk"),
    )
    return Report(
        "registrations",
        _("Registrations by week"),
        (_("Week from"), _("Requests"), _("Of them completed"), _("Accounts opened")),
        [
            (
                week,
                requests.get(week, {}).get("received", 0),
                requests.get(week, {}).get("completed", 0),
                opened.get(week, {}).get("opened", 0),
            )
            for week in weeks
        ],
        chart_column=3,
    )


def logins_by_week(today: date | None = None) -> Report:
    weeks = _weeks(today or timezone.localdate())
    counted = _by_week(
        AuthEvent.objects.filter(
            created_at__gte=_since(weeks[0]),
            kind__in=[AuthEvent.Kind.LOGIN_SUCCEEDED, AuthEvent.Kind.LOGIN_FAILED],
        ),
        "created_at",
        logins=Count("pk", filter=Q(kind=AuthEvent.Kind.LOGIN_SUCCEEDED)),
        people=Count("user", filter=Q(kind=AuthEvent.Kind.LOGIN_SUCCEEDED), distinct=True),
        failed=Count("pk", filter=Q(kind=AuthEvent.Kind.LOGIN_FAILED)),
    )
    return Report(
        "logins",
        _("Logins by week"),
        (_("Week from"), _("Logins"), _("Different accounts"), _("Failed logins")),
        [
            (
                week,
                counted.get(week, {}).get("logins", 0),
                counted.get(week, {}).get("people", 0),
                counted.get(week, {}).get("failed", 0),
            )
            for week in weeks
        ],
        chart_column=2,
    )


def einvoice_adoption(today: date | None = None) -> Report:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    months: list[date] = []
    for _n in range(12):
        months.insert(0, first)
        first = (first - timedelta(days=1)).replace(day=1)
    events: dict[date, Any] = {
        _day(row["month"]): row
        for row in EInvoiceConsentEvent.objects.filter(created_at__gte=_since(months[0]))
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            on=Count("pk", filter=Q(action=EInvoiceConsentEvent.Action.ACTIVATED)),
            off=Count("pk", filter=Q(action=EInvoiceConsentEvent.Action.WITHDRAWN)),
        )
    }
    customers = Customer.objects.count()
    active = EInvoiceConsent.objects.filter(active=True).count()
    share = f"{active / customers:.0%}" if customers else "—"
    return Report(
        "einvoice",
        _("E-invoice adoption: %(active)d of %(customers)d customers (%(share)s)")
        % {"active": active, "customers": customers, "share": share},
        (_("Month"), _("Consents given"), _("Consents withdrawn")),
        [
            (month, events.get(month, {}).get("on", 0), events.get(month, {}).get("off", 0))
            for month in months
        ],
    )


def offered(key: str, config) -> bool:
    """The e-invoice report where the tenant offers e-invoices; the others everywhere."""
    return key != "einvoice" or config.has_module("e_invoice")


REPORTS = {
    "accounts": accounts_by_state,
    "registrations": registrations_by_week,
    "logins": logins_by_week,
    "einvoice": einvoice_adoption,
}
