"""Writes of the metering app: a customer's reading, staff's review of it, reading windows and
meter replacement. Each validates, writes in one transaction and raises ApplicationError with a
MeteringErrorCode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from billing.selectors import Focus
from core.access import Role
from core.errors import ApplicationError
from core.http import tenant_base_url
from identity.models import User
from identity.selectors import current_config
from metering import photos, selectors
from metering.errors import MeteringErrorCode
from metering.models import Meter, Reading, ReadingWindow, Register
from notifications.services import notify
from tenants.policies import MeteringSettings, Module

MAX_VALUE = Decimal("1e11")
# How far back a customer may date a reading it submits (a photo taken over the weekend).
BACKDATING = timedelta(days=3)


def _error(
    code: MeteringErrorCode, message: str, *, status: int = 400, **extra
) -> ApplicationError:
    return ApplicationError(message, code=code, status=status, extra=extra)


def _day(value: date | None) -> str:
    return formats.date_format(value, "d.m.Y") if value else ""


def _value(raw: object) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if (
        not value.is_finite()
        or value < 0
        or value >= MAX_VALUE
        or value != value.quantize(Decimal("0.001"))
    ):
        message = _("Enter the number on the meter: not negative, at most three decimals.")
        raise _error(MeteringErrorCode.INVALID_VALUE, message, fields={"value": [message]})
    return value.quantize(Decimal("0.001"))


@dataclass(frozen=True)
class _Checked:
    meter: Meter
    register: Register
    read_at: datetime
    window: ReadingWindow | None


def _check_meter(
    *, actor: User, meter_id: int, register_code: str | None, read_at: datetime | None, focus
) -> _Checked:
    config = current_config()
    if not config.has_module(Module.READINGS):
        raise _error(
            MeteringErrorCode.READINGS_NOT_OFFERED,
            _("Readings are not taken through this portal."),
            status=403,
        )
    meter = selectors.meter_get(actor=actor, meter_id=meter_id, focus=focus)
    if meter is None:
        raise _error(MeteringErrorCode.NOT_FOUND, _("Not found."), status=404)
    if meter.removed_on is not None:
        raise _error(MeteringErrorCode.METER_REMOVED, _("This meter has been removed."))
    registers = list(meter.registers.all())
    register = _register(registers, register_code)
    now = timezone.now()
    read_at = read_at or now
    if read_at > now + timedelta(minutes=5):
        message = _("A reading cannot be dated in the future.")
        raise _error(MeteringErrorCode.IN_THE_FUTURE, message, fields={"read_at": [message]})
    if read_at < now - BACKDATING:
        message = _("Date the reading within the last %(n)d days.") % {"n": BACKDATING.days}
        raise _error(MeteringErrorCode.INVALID_PERIOD, message, fields={"read_at": [message]})
    if meter.installed_on and timezone.localdate(read_at) < meter.installed_on:
        message = _("The meter was installed on %(day)s.") % {"day": _day(meter.installed_on)}
        raise _error(MeteringErrorCode.BEFORE_INSTALLATION, message, fields={"read_at": [message]})
    window = _window(meter, config.metering, timezone.localdate(read_at))
    return _Checked(meter, register, read_at, window)


def _register(registers: list[Register], code: str | None) -> Register:
    if code:
        for register in registers:
            if register.code == code:
                return register
        message = _("This meter has no register %(code)s.") % {"code": code}
        raise _error(MeteringErrorCode.UNKNOWN_REGISTER, message, fields={"register": [message]})
    if len(registers) != 1:
        message = _("Say which register (tariff zone) you read.")
        raise _error(MeteringErrorCode.REGISTER_REQUIRED, message, fields={"register": [message]})
    return registers[0]


def _window(meter: Meter, rules: MeteringSettings, on: date) -> ReadingWindow | None:
    if not rules.windows_required:
        return None
    window = selectors.window_open(meter=meter, on=on)
    if window is not None and window.opens_on <= timezone.localdate() <= window.closes_on:
        return window
    following = selectors.window_next(meter=meter, after=timezone.localdate())
    if following is None:
        message = _("Readings of this meter are not being taken now.")
    else:
        message = _(
            "Readings of this meter are not being taken now. "
            "The next period is from %(start)s to %(end)s."
        ) % {
            "start": _day(following.opens_on),
            "end": _day(following.closes_on),
        }
    data = {
        "next_window": {
            "opens_on": following.opens_on.isoformat(),
            "closes_on": following.closes_on.isoformat(),
        }
        if following
        else None
    }
    raise _error(MeteringErrorCode.OUTSIDE_READING_WINDOW, message, data=data)


def reading_submit(
    *,
    actor: User,
    meter_id: int,
    value: object,
    read_at: datetime | None = None,
    register_code: str | None = None,
    confirm: bool = False,
    photo=None,
    focus: Focus | None = None,
) -> Reading:
    """A reading the customer (or a manager for granted premises, or staff) took of a meter.

    Refused with 400 outside the meter's reading window (``outside_reading_window``, saying when
    the next opens), below the register's last reading on the same meter
    (``lower_than_previous``), or far above its usual use (``implausible``, with the expected
    range) unless ``confirm`` is given: then it is stored flagged for staff to review. A second
    submission for the same register and window (or day, where the tenant has no windows) is a
    409, also when two arrive at once: the register's row is locked while one is checked."""
    amount = _value(value)
    checked = _check_meter(
        actor=actor, meter_id=meter_id, register_code=register_code, read_at=read_at, focus=focus
    )
    rules = current_config().metering
    stored = (
        photos.photo_check(photo, max_bytes=rules.photo_max_megabytes * 1024 * 1024)
        if photo
        else None
    )
    source = Reading.Source.STAFF if actor.is_tenant_staff else Reading.Source.CUSTOMER
    with transaction.atomic():
        # Submissions for one meter queue here, so the checks below see each other's rows.
        list(Register.objects.select_for_update().filter(meter=checked.meter).order_by("pk"))
        _refuse_second(checked, source)
        expected = selectors.expected_reading(
            register=checked.register, at=checked.read_at, rules=rules
        )
        flag = _judge(amount, expected, confirm=confirm, unit=str(checked.meter.get_unit_display()))
        path = photos.photo_store(stored) if stored else ""
        try:
            with transaction.atomic():
                reading = Reading.objects.create(
                    erp_id=f"portal:{checked.register.pk}:{checked.read_at.isoformat()}",
                    register=checked.register,
                    value=amount,
                    read_at=checked.read_at,
                    source=source,
                    status=Reading.Status.FLAGGED if flag else Reading.Status.ACCEPTED,
                    flag=flag,
                    photo=path,
                    window=checked.window,
                    submitted_by=actor,
                )
        except IntegrityError as exc:
            photos.photo_delete(path)
            raise _already(checked.window) from exc
    return reading


def _already(window: ReadingWindow | None) -> ApplicationError:
    message = (
        _("A reading of this meter has already been sent for this period.")
        if window is not None
        else _("A reading of this meter has already been sent today. Send the next one tomorrow.")
    )
    return _error(MeteringErrorCode.ALREADY_SUBMITTED, message, status=409)


def _refuse_second(checked: _Checked, source: str) -> None:
    if source != Reading.Source.CUSTOMER:
        return
    earlier = Reading.objects.filter(register=checked.register, source=source).exclude(
        status=Reading.Status.REJECTED
    )
    if checked.window is not None:
        earlier = earlier.filter(window=checked.window)
    else:
        day = timezone.localdate(checked.read_at)
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        earlier = earlier.filter(read_at__gte=start, read_at__lt=start + timedelta(days=1))
    if earlier.exists():
        raise _already(checked.window)


def _judge(amount: Decimal, expected: selectors.Expected, *, confirm: bool, unit: str) -> str:
    """The flag the reading is stored with ("" when it is plausible)."""
    if expected.low is not None and amount < expected.low:
        last = expected.last
        message = _("The reading is lower than the previous one (%(value)s on %(day)s).") % {
            "value": formats.number_format(expected.low, 3),
            "day": _day(timezone.localdate(last.at)) if last else "",
        }
        raise _error(
            MeteringErrorCode.LOWER_THAN_PREVIOUS,
            message,
            fields={"value": [message]},
            data={
                "previous": {
                    "value": f"{expected.low:.3f}",
                    "read_at": last.at.isoformat() if last else None,
                }
            },
        )
    if expected.high is not None and amount > expected.high:
        if confirm:
            return MeteringErrorCode.IMPLAUSIBLE.value
        message = _(
            "This reading means much more use than usual: we expected %(low)s to %(high)s "
            "%(unit)s. Check the number; if it is right, confirm it and the office will review it."
        ) % {
            "unit": unit,
            "low": formats.number_format(expected.low or 0, 3),
            "high": formats.number_format(expected.high, 3),
        }
        raise _error(
            MeteringErrorCode.IMPLAUSIBLE,
            message,
            fields={"value": [message]},
            data={"expected": {"min": f"{expected.low:.3f}", "max": f"{expected.high:.3f}"}},
        )
    return ""


# --- the office ----------------------------------------------------------------------------


class Decision:
    ACCEPT = "accept"
    CORRECT = "correct"
    REJECT = "reject"


@transaction.atomic
def reading_review(
    *, actor: User, reading_id: int, decision: str, value: object = None, reason: str = ""
) -> Reading:
    """Staff accept a flagged reading, correct it (with a reason; the customer's value is kept)
    or reject it (with a reason). The customer who sent it is told by e-mail."""
    reading = (
        Reading.objects.select_for_update(of=("self",))
        .select_related("register__meter", "submitted_by")
        .filter(pk=reading_id)
        .first()
    )
    if reading is None:
        raise _error(MeteringErrorCode.NOT_FOUND, _("Not found."), status=404)
    if reading.status != Reading.Status.FLAGGED:
        raise _error(
            MeteringErrorCode.ALREADY_REVIEWED,
            _("This reading has already been reviewed."),
            status=409,
        )
    reason = (reason or "").strip()[:500]
    if decision in (Decision.CORRECT, Decision.REJECT) and not reason:
        message = _("Give the reason: the customer will read it.")
        raise _error(MeteringErrorCode.REASON_REQUIRED, message, fields={"reason": [message]})
    if decision == Decision.CORRECT:
        reading.original_value, reading.value = reading.value, _value(value)
    elif decision not in (Decision.ACCEPT, Decision.REJECT):
        raise _error(MeteringErrorCode.INVALID_VALUE, _("Choose accept, correct or reject."))
    reading.status = (
        Reading.Status.REJECTED if decision == Decision.REJECT else Reading.Status.ACCEPTED
    )
    reading.reason = reason
    reading.reviewed_by, reading.reviewed_at = actor, timezone.now()
    reading.save()
    _tell_reviewed(reading, decision)
    return reading


def _tell_reviewed(reading: Reading, decision: str) -> None:
    customer = reading.submitted_by
    if customer is None or customer.role == Role.CUSTOMER_SERVICE:
        return
    notify(
        user=customer,
        event="reading_reviewed",
        key=f"{reading.pk}:{decision}",
        link=tenant_base_url() + reverse("metering_meter", args=[reading.register.meter_id]),
        context=lambda: {
            "decision": decision,
            "meter": reading.register.meter.serial_number,
            "value": formats.number_format(reading.value, 3),
            "original": formats.number_format(reading.original_value, 3)
            if reading.original_value is not None
            else "",
            "day": _day(timezone.localdate(reading.read_at)),
            "reason": reading.reason,
        },
    )


def window_save(
    *,
    actor: User,
    name: str,
    opens_on: date,
    closes_on: date,
    meter_kinds: list[str] | None = None,
    estate: str = "",
    building_id: int | None = None,
    window_id: int | None = None,
) -> ReadingWindow:
    """Create or change a reading window (staff)."""
    if closes_on < opens_on:
        message = _("The period must end on or after the day it starts.")
        raise _error(MeteringErrorCode.INVALID_PERIOD, message, fields={"closes_on": [message]})
    kinds = sorted({k for k in (meter_kinds or []) if k in Meter.Kind.values})
    if window_id:
        found = ReadingWindow.objects.filter(pk=window_id).first()
        if found is None:
            raise _error(MeteringErrorCode.NOT_FOUND, _("Not found."), status=404)
        window = found
    else:
        window = ReadingWindow(created_by=actor)
    window.name, window.opens_on, window.closes_on = name.strip()[:120], opens_on, closes_on
    window.meter_kinds, window.estate, window.building_id = kinds, estate.strip()[:120], building_id
    window.save()
    return window


@transaction.atomic
def meter_replace(
    *,
    actor: User,
    meter_id: int,
    replaced_on: date,
    final_values: dict[str, object],
    serial_number: str,
    initial_values: dict[str, object],
    legalisation_valid_until: date | None = None,
) -> Meter:
    """A technician swaps a meter: the old one's final reading and removal day, the new one with
    its initial reading per register, linked so that consumption runs on across the swap."""
    old = Meter.objects.select_for_update().filter(pk=meter_id).first()
    if old is None:
        raise _error(MeteringErrorCode.NOT_FOUND, _("Not found."), status=404)
    if old.removed_on is not None or hasattr(old, "replaced_by"):
        raise _error(
            MeteringErrorCode.NOT_REPLACEABLE,
            _("This meter has already been replaced."),
            status=409,
        )
    if old.installed_on and replaced_on < old.installed_on:
        message = _("The meter was installed on %(day)s.") % {"day": _day(old.installed_on)}
        raise _error(
            MeteringErrorCode.BEFORE_INSTALLATION, message, fields={"replaced_on": [message]}
        )
    moment = timezone.make_aware(
        datetime.combine(replaced_on, datetime.min.time().replace(hour=12))
    )
    serial = serial_number.strip()[:64]
    if not serial:
        message = _("Enter the new meter's serial number.")
        raise _error(MeteringErrorCode.INVALID_VALUE, message, fields={"serial_number": [message]})
    new = Meter.objects.create(
        erp_id=f"{old.erp_id}~{serial}",
        serial_number=serial,
        kind=old.kind,
        unit=old.unit,
        premises_id=old.premises_id,
        service_point_id=old.service_point_id,
        location=old.location,
        installed_on=replaced_on,
        legalisation_valid_until=legalisation_valid_until,
        is_main=old.is_main,
        replaces=old,
        register_codes=old.register_codes,
    )
    old.removed_on = replaced_on
    old.save(update_fields=["removed_on", "updated_at"])
    for register in old.registers.all():
        final = _value(final_values.get(register.code))
        last = (
            register.readings.exclude(status=Reading.Status.REJECTED).order_by("-read_at").first()
        )
        if last is not None and final < last.value:
            message = _("The final reading is lower than the last one (%(value)s).") % {
                "value": formats.number_format(last.value, 3)
            }
            raise _error(
                MeteringErrorCode.LOWER_THAN_PREVIOUS, message, fields={"final": [message]}
            )
        twin = Register.objects.create(
            erp_id=f"{new.erp_id}/{register.code}", meter=new, code=register.code
        )
        for reg, amount, tag in (
            (register, final, "final"),
            (twin, _value(initial_values.get(register.code)), "initial"),
        ):
            Reading.objects.update_or_create(
                register=reg,
                read_at=moment,
                defaults={
                    "erp_id": f"replacement:{reg.erp_id}:{tag}",
                    "value": amount,
                    "source": Reading.Source.STAFF,
                    "submitted_by": actor,
                },
            )
    return new
