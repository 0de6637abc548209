"""The customer's meter pages: the meters with their latest reading and legalisation, one meter's
history, consumption chart and reading form, the readings as CSV, and a reading's photo."""

from __future__ import annotations

import csv
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing.views import portal_page, request_focus
from core.errors import ApplicationError
from identity.views import add_form_errors
from metering import selectors, services
from metering.errors import MeteringErrorCode
from metering.models import Meter
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
    value = forms.CharField(
        label=gettext_lazy("Reading"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    register = forms.ChoiceField(label=gettext_lazy("Tariff zone"), required=False)
    photo = forms.FileField(
        label=gettext_lazy("Photo of the meter (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("The number is right: send it for the office to check"), required=False
    )

    def __init__(self, *args, meter: Meter, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [r.code for r in meter.registers.all()]
        if len(codes) > 1:
            self.fields["register"].choices = [(c, register_name(c)) for c in codes]
            self.fields["register"].required = True
        else:
            del self.fields["register"]


@portal_page(*MODULES)
def meters(request):
    actor, focus = request.user, request_focus(request)
    rows = list(selectors.meter_list(actor=actor, focus=focus).prefetch_related("registers"))
    today = timezone.localdate()
    due_within = request.tenant.configuration.metering.legalisation_due_months
    cards = []
    for meter in rows:
        cards.append(
            {
                "meter": meter,
                "latest": selectors.reading_list(actor=actor, meter=meter).first(),
                "window": selectors.window_open(meter=meter, on=today)
                if meter.in_service
                else None,
                "legalisation_soon": meter.legalisation_valid_until is not None
                and (meter.legalisation_valid_until - today).days <= due_within * 30,
            }
        )
    return render(
        request,
        "metering/meters.html",
        {
            "cards": cards,
            "alerts": selectors.open_alerts(actor=actor, focus=focus)[:5],
            "takes_readings": request.tenant.configuration.has_module(Module.READINGS),
            "windows_required": request.tenant.configuration.metering.windows_required,
        },
    )


def _meter_or_404(request, pk: int) -> Meter:
    meter = selectors.meter_get(actor=request.user, meter_id=pk, focus=request_focus(request))
    if meter is None:
        raise Http404
    return meter


def _chart(rows: list[dict]) -> dict:
    """Monthly use beside the same month a year before, as paired bars of an inline SVG; the
    same rows feed the table."""
    shown = rows[-12:]
    top = (
        max(
            (float(v) for r in shown for v in (r["used"], r["year_before"]) if v is not None),
            default=0,
        )
        or 1.0
    )
    width, gap, height, band = 12, 8, 120, 18
    bars = []
    for i, row in enumerate(shown):
        x = i * (2 * width + gap) + gap // 2
        for offset, key, css in ((0, "year_before", "bar bar-previous"), (width, "used", "bar")):
            value = row[key]
            size = round(float(value or 0) / top * height, 1)
            bars.append(
                {
                    "x": x + offset,
                    "y": round(height - size, 1),
                    "height": size,
                    "width": width,
                    "css": css,
                    "value": value,
                    "month": row["month"],
                    "key": key,
                }
            )
    labels = [
        {"x": i * (2 * width + gap) + gap // 2 + width, "month": row["month"]}
        for i, row in enumerate(shown)
    ]
    return {
        "bars": bars,
        "labels": labels,
        "rows": shown,
        "width": max(1, len(shown)) * (2 * width + gap),
        "height": height,
        "full_height": height + band,
        "label_y": height + band - 4,
    }


def _form_context(request, meter: Meter, form: ReadingForm | None = None) -> dict:
    config = request.tenant.configuration
    today = timezone.localdate()
    context: dict = {"takes_readings": config.has_module(Module.READINGS) and meter.in_service}
    if not context["takes_readings"]:
        return context
    window = (
        selectors.window_open(meter=meter, on=today) if config.metering.windows_required else None
    )
    registers = list(meter.registers.all())
    expected = [
        (
            register_name(r.code),
            selectors.expected_reading(register=r, at=timezone.now(), rules=config.metering),
        )
        for r in registers
    ]
    context.update(
        {
            "form": form or ReadingForm(meter=meter),
            "window": window,
            "window_closed": config.metering.windows_required and window is None,
            "next_window": selectors.window_next(meter=meter, after=today)
            if config.metering.windows_required and window is None
            else None,
            "expected": expected,
            "multi_register": len(registers) > 1,
        }
    )
    return context


@portal_page(*MODULES)
def meter_detail(request, pk: int, form: ReadingForm | None = None, status: int = 200):
    meter = _meter_or_404(request, pk)
    readings = selectors.reading_list(actor=request.user, meter=meter)
    page = Paginator(readings, 25).get_page(request.GET.get("page"))
    months = selectors.monthly_use(actor=request.user, meter=meter, months=24)
    context = {
        "meter": meter,
        "page": page,
        "chart": _chart(months),
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
        services.reading_submit(
            actor=request.user,
            meter_id=meter.pk,
            value=form.cleaned_data["value"],
            register_code=form.cleaned_data.get("register") or None,
            confirm=form.cleaned_data["confirm"],
            photo=form.cleaned_data.get("photo"),
            focus=request_focus(request),
        )
    except ApplicationError as exc:
        add_form_errors(form, exc)
        form.show_confirm = exc.code == MeteringErrorCode.IMPLAUSIBLE
        return meter_detail(request, pk, form=form, status=exc.status if exc.status != 404 else 400)
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
    response = FileResponse(
        default_storage.open(path, "rb"),
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        as_attachment=extension == "heic",  # browsers cannot show it: a download
        filename=f"reading.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
