"""The customer's meter pages: the meters with their latest reading and legalisation, one meter's
history, consumption chart and reading form, the readings as CSV, and a reading's photo."""

from __future__ import annotations

import csv
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing.views import portal_page, request_focus
from core import uploads
from core.errors import ApplicationError
from core.paging import keyset_page
from identity.views import add_form_errors
from metering import selectors, services
from metering.errors import MeteringErrorCode
from metering.models import Meter, Reading
from metering.photos import CONTENT_TYPES
from tenants.policies import Module

MODULES = (Module.METERS, Module.READINGS)
REGISTER_NAMES = {
    "1": gettext_lazy("Total"),
    "day": gettext_lazy("Day zone"),
    "night": gettext_lazy("Night zone"),
    "peak": gettext_lazy("Peak zone"),
    "offpeak": gettext_lazy("Off-peak zone"),
}


def register_name(code: str) -> str:
    return str(REGISTER_NAMES.get(code, code))


class ReadingForm(forms.Form):
    register = forms.ChoiceField(label=gettext_lazy("Tariff zone"), required=False)
    value = forms.CharField(
        label=gettext_lazy("Reading"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo of the meter (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("The number is right: send it for the office to check"), required=False
    )

    def __init__(self, *args, meter: Meter, codes: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        all_codes = [r.code for r in meter.registers.all()]
        codes = [c for c in all_codes if codes is None or c in codes] or all_codes
        if len(all_codes) > 1:
            # No zone is chosen for the customer: reading the wrong dial is the usual mistake.
            self.fields["register"].choices = [
                ("", _("Choose the zone")),
                *((c, register_name(c)) for c in codes),
            ]
            self.fields["register"].required = True
        else:
            del self.fields["register"]

    def focus_first_error(self) -> None:
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["autofocus"] = True
                return


def _periods(request, meters: list[Meter]) -> dict[int, dict]:
    """Where each meter stands today: its latest readings, the open window (if the tenant uses
    them), the customer's readings already sent in it (or today) by register, whether every
    register has one, the next window. A fixed number of queries for a page of meters."""
    windows = request.tenant.configuration.metering.windows_required
    states = selectors.meter_states(
        actor=request.user, meters=meters, windows_required=windows, on=timezone.localdate()
    )
    out = {}
    for meter in meters:
        state = states[meter.pk]
        codes = [r.code for r in meter.registers.all()]
        out[meter.pk] = {
            "latest": [(register_name(r.register.code), r) for r in state.latest],
            "window": state.window,
            "sent": [(register_name(c), state.sent[c]) for c in codes if c in state.sent],
            "done": bool(codes) and all(c in state.sent for c in codes),
            "open_codes": [c for c in codes if c not in state.sent],
            "closed": windows and state.window is None,
            "next_window": state.next_window,
        }
    return out


@portal_page(*MODULES)
def meters(request):
    actor, focus = request.user, request_focus(request)
    page = keyset_page(
        request, selectors.meter_list(actor=actor, focus=focus).prefetch_related("registers"), 20
    )
    rows = list(page)
    config = request.tenant.configuration
    takes = config.has_module(Module.READINGS)
    periods = _periods(request, rows)
    cards = [
        {
            "meter": meter,
            "latest": periods[meter.pk]["latest"],
            "period": periods[meter.pk] if takes and meter.in_service else None,
            "legalisation_soon": _legalisation_soon(meter, config),
        }
        for meter in rows
    ]
    return render(
        request,
        "metering/meters.html",
        {
            "cards": cards,
            "page": page,
            "alerts": selectors.open_alerts(actor=actor, focus=focus)[:5],
            "takes_readings": takes,
            "windows_required": config.metering.windows_required,
        },
    )


def _legalisation_soon(meter: Meter, config) -> bool:
    until = meter.legalisation_valid_until
    months = config.metering.legalisation_due_months
    return until is not None and (until - timezone.localdate()).days <= round(months * 30.44)


@portal_page(*MODULES)
def premises_use(request, pk: int):
    """A premises' use by month, one chart per unit (cold and hot water together in m³), from
    its main meters in service."""
    actor, focus = request.user, request_focus(request)
    meters = [
        m
        for m in selectors.meter_list(actor=actor, focus=focus).filter(
            premises_id=pk, is_main=True, removed_on__isnull=True
        )
    ]
    if not meters:
        raise Http404
    groups: dict[str, list[Meter]] = {}
    for meter in meters:
        groups.setdefault(meter.unit, []).append(meter)
    charts = [
        {
            "unit": group[0].get_unit_display(),
            "kinds": sorted({str(m.get_kind_display()) for m in group}),
            "chart": _chart(selectors.premises_monthly_use(actor=actor, meters=group)),
            "id": f"use-{unit}",
        }
        for unit, group in groups.items()
    ]
    return render(
        request, "metering/premises.html", {"premises": meters[0].premises, "charts": charts}
    )


def _meter_or_404(request, pk: int) -> Meter:
    meter = selectors.meter_get(actor=request.user, meter_id=pk, focus=request_focus(request))
    if meter is None:
        raise Http404
    return meter


def _chart(rows: list[dict]) -> dict:
    """The last 12 months that readings cover completely, each beside the same month a year
    before, as paired bars of an inline SVG; the same rows feed the table. Labels name every
    second month when the months would crowd a phone's width."""
    shown = [r for r in rows if r["complete"]][-12:]
    values = [
        v
        for r in shown
        for v, whole in ((r["used"], True), (r["year_before"], r["year_before_complete"]))
        if v is not None and whole
    ]
    top = max((float(v) for v in values), default=0) or 1.0
    width, gap, height, band = 14, 10, 120, 18
    step = 2 * width + gap
    bars = []
    for i, row in enumerate(shown):
        x = i * step + gap // 2
        before = row["year_before"] if row["year_before_complete"] else None
        month_before = row["month"].replace(year=row["month"].year - 1)
        for offset, value, month, css in (
            (0, before, month_before, "bar bar-previous"),
            (width, row["used"], row["month"], "bar"),
        ):
            size = round(float(value or 0) / top * height, 1)
            bars.append(
                {
                    "x": x + offset,
                    "y": round(height - size, 1),
                    "height": size,
                    "width": width,
                    "css": css,
                    "title": f"{month:%m.%Y}: "
                    + (
                        formats.number_format(value, 3, use_l10n=True) if value is not None else "—"
                    ),
                }
            )
    every = 2 if len(shown) > 6 else 1
    labels = [
        {"x": i * step + gap // 2 + width, "month": row["month"]}
        for i, row in enumerate(shown)
        if (len(shown) - 1 - i) % every == 0  # the newest month always has its label
    ]
    return {
        "bars": bars,
        "labels": labels,
        "rows": shown,
        "width": max(1, len(shown)) * step,
        "height": height,
        "full_height": height + band,
        "label_y": height + band - 4,
    }


def _form_context(request, meter: Meter, form: ReadingForm | None = None) -> dict:
    config = request.tenant.configuration
    context: dict = {"takes_readings": config.has_module(Module.READINGS) and meter.in_service}
    if not context["takes_readings"]:
        return context
    registers = list(meter.registers.all())
    now = timezone.now()
    expected = [
        (
            register_name(r.code),
            selectors.expected_reading(register=r, at=now, rules=config.metering),
        )
        for r in registers
    ]
    if form is not None:
        form.focus_first_error()
    period = _periods(request, [meter])[meter.pk]
    context.update(
        {
            "form": form or ReadingForm(meter=meter, codes=period["open_codes"]),
            "period": period,
            "expected": expected,
            "multi_register": len(registers) > 1,
        }
    )
    return context


@portal_page(*MODULES)
def meter_detail(request, pk: int, form: ReadingForm | None = None, status: int = 200):
    meter = _meter_or_404(request, pk)
    readings = selectors.reading_list(actor=request.user, meter=meter)
    page = keyset_page(request, readings, 25)
    months = selectors.monthly_use(actor=request.user, meter=meter, months=24)
    context = {
        "meter": meter,
        "page": page,
        "chart": _chart(months),
        "alerts": selectors.open_alerts(actor=request.user, focus=request_focus(request)).filter(
            meter=meter
        ),
        "legalisation_soon": _legalisation_soon(meter, request.tenant.configuration),
        "register_names": {r.code: register_name(r.code) for r in meter.registers.all()},
        **_form_context(request, meter, form),
    }
    return render(request, "metering/meter.html", context, status=status)


@require_POST
@portal_page(Module.READINGS)
def reading_submit(request, pk: int):
    meter = _meter_or_404(request, pk)
    form = ReadingForm(request.POST, request.FILES, meter=meter)
    if not form.is_valid():
        return meter_detail(request, pk, form=form, status=400)
    try:
        reading = services.reading_submit(
            actor=request.user,
            meter_id=meter.pk,
            value=form.cleaned_data["value"],
            register_code=form.cleaned_data.get("register") or None,
            confirm=form.cleaned_data["confirm"],
            photo=form.cleaned_data.get("photo"),
            focus=request_focus(request),
        )
    except ApplicationError as exc:
        if exc.code == MeteringErrorCode.ALREADY_SUBMITTED:
            # The form is no longer shown for that register: say it above the page.
            messages.error(request, exc.message)
            return redirect("metering_meter", pk=meter.pk)
        add_form_errors(form, exc)
        form.show_confirm = exc.code == MeteringErrorCode.IMPLAUSIBLE
        return meter_detail(request, pk, form=form, status=exc.status if exc.status != 404 else 400)
    if reading.status == Reading.Status.FLAGGED:
        messages.success(
            request,
            _(
                "Thank you. The reading differs from the usual use, so the office will check "
                "it; you will get an e-mail."
            ),
        )
    else:
        messages.success(request, _("Thank you, the reading has been saved."))
    return redirect("metering_meter", pk=meter.pk)


@portal_page(*MODULES)
def readings_csv(request, pk: int):
    """The meter's readings and monthly use as CSV (one's own data, machine-readable)."""
    meter = _meter_or_404(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meter-{meter.pk}-readings.csv"'
    response.write("\ufeff")  # spreadsheets read the file as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["meter", "register", "read_at", "value", "unit", "source", "status"])
    for r in selectors.reading_list(actor=request.user, meter=meter).iterator():
        writer.writerow(
            [
                meter.serial_number,
                r.register.code,
                timezone.localtime(r.read_at).isoformat(),
                f"{r.value:.3f}",
                meter.unit,
                r.source,
                r.status,
            ]
        )
    writer.writerow([])
    writer.writerow(["month", "used", "year_before", "unit"])
    for row in selectors.monthly_use(actor=request.user, meter=meter, months=120):
        if row["used"] is None and row["year_before"] is None:
            continue
        writer.writerow(
            [
                row["month"].isoformat()[:7],
                _amount(row["used"]),
                _amount(row["year_before"]),
                meter.unit,
            ]
        )
    return response


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.3f}"


@portal_page(*MODULES)
def reading_photo(request, pk: int):
    """A reading's photo, for whoever may see the reading (404 for anyone else)."""
    reading = selectors.reading_get(actor=request.user, reading_id=pk)
    if reading is None or not reading.photo or not default_storage.exists(reading.photo):
        raise Http404
    return photo_response(reading.photo)


def photo_response(path: str) -> FileResponse:
    extension = path.rsplit(".", 1)[-1]
    return uploads.file_response(
        path,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        filename=f"reading.{extension}",
    )
