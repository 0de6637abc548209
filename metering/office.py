"""The office's meter pages: readings waiting for review (accept, correct or reject, the customer
is told), reading windows with the meters still unread in each, and legalisations ending."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from billing.models import Building
from core.errors import ApplicationError
from identity.permissions import staff_required
from identity.views import add_form_errors
from metering import selectors, services
from metering.models import Meter, MeterAlert, Reading, ReadingWindow
from metering.views import photo_response, register_name


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (services.Decision.ACCEPT, gettext_lazy("Accept")),
            (services.Decision.CORRECT, gettext_lazy("Correct the value")),
            (services.Decision.REJECT, gettext_lazy("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    value = forms.CharField(label=gettext_lazy("Corrected value"), max_length=20, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason (the customer reads it)"), max_length=500, required=False
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == services.Decision.CORRECT and not (data.get("value") or "").strip():
            self.add_error("value", _("Enter the corrected value."))
        if (
            decision in (services.Decision.CORRECT, services.Decision.REJECT)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give the reason: the customer will read it."))
        return data

    def focus_first_error(self) -> None:
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["autofocus"] = True
                return


def _queue_page(request, bound: ReviewForm | None = None, bound_id: int | None = None, status=200):
    items = []
    for reading in selectors.review_queue()[:50]:
        history = list(
            Reading.objects.filter(register=reading.register)
            .exclude(pk=reading.pk)
            .order_by("-read_at")[:4]
        )
        if reading.pk == bound_id and bound is not None:
            form = bound
            form.focus_first_error()
        else:
            form = ReviewForm(prefix=f"r{reading.pk}")
        items.append(
            {
                "reading": reading,
                "register": register_name(reading.register.code),
                "history": history,
                "form": form,
            }
        )
    return render(request, "metering/office/review.html", {"items": items}, status=status)


@staff_required("readings.review")
def review_queue(request):
    return _queue_page(request)


@require_POST
@staff_required("readings.review")
def reading_review(request, pk: int):
    if not Reading.objects.filter(pk=pk).exists():
        raise Http404
    form = ReviewForm(request.POST, prefix=f"r{pk}")
    if form.is_valid():
        try:
            services.reading_review(
                actor=request.user,
                reading_id=pk,
                decision=form.cleaned_data["decision"],
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            if exc.status != 400:
                messages.error(request, exc.message)
                return redirect("metering_office_review")
            add_form_errors(form, exc)
        else:
            messages.success(request, _("Saved; the customer has been told."))
            return redirect("metering_office_review")
    # What was chosen stays chosen, with the reason to fix beside it.
    return _queue_page(request, bound=form, bound_id=pk, status=400)


@staff_required("readings.review")
def reading_photo(request, pk: int):
    reading = Reading.objects.filter(pk=pk).exclude(photo="").first()
    if reading is None:
        raise Http404
    return photo_response(reading.photo)


class WindowForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("reading period", "Name"), max_length=120)
    opens_on = forms.DateField(
        label=gettext_lazy("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=gettext_lazy("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    meter_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Meters (none chosen: every kind)"),
        choices=Meter.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    estate = forms.CharField(
        label=gettext_lazy("Estate (empty: every estate)"), max_length=120, required=False
    )
    building = forms.ModelChoiceField(
        label=gettext_lazy("Building (empty: every building)"),
        queryset=Building.objects.all(),
        required=False,
    )


def _window_saved(request, form: WindowForm, window_id: int | None = None) -> bool:
    """Save a posted reading period (new, or ``window_id``); False with the form's errors."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.window_save(
            actor=request.user,
            window_id=window_id,
            name=data["name"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            meter_kinds=data["meter_kinds"],
            estate=data["estate"],
            building_id=data["building"].pk if data["building"] else None,
        )
    except ApplicationError as exc:
        add_form_errors(form, exc)
        return False
    messages.success(request, _("The reading period has been saved."))
    return True


@staff_required("meters.manage")
def windows(request):
    form = WindowForm(request.POST or None)
    if request.method == "POST" and _window_saved(request, form):
        return redirect("metering_office_windows")
    status = 400 if request.method == "POST" else 200
    today = timezone.localdate()
    rows = [
        {
            "window": w,
            "missing": selectors.meters_without_reading(window=w).count()
            if w.opens_on <= today
            else None,
        }
        for w in ReadingWindow.objects.select_related("building")[:30]
    ]
    return render(
        request, "metering/office/windows.html", {"form": form, "rows": rows}, status=status
    )


@staff_required("meters.manage")
def legalisation(request):
    months = request.tenant.configuration.metering.legalisation_due_months
    return render(
        request,
        "metering/office/legalisation.html",
        {"meters": selectors.legalisation_due(within_months=months)[:500], "months": months},
    )


@staff_required("meters.manage")
def meters_search(request):
    """Find a meter by its serial number or address, to replace it."""
    query = request.GET.get("q", "").strip()[:64]
    rows = []
    if len(query) >= 2:
        rows = list(
            Meter.objects.filter(
                Q(serial_number__icontains=query) | Q(premises__street__icontains=query)
            )
            .select_related("premises")
            .order_by("removed_on", "serial_number")[:50]
        )
    return render(request, "metering/office/meters.html", {"query": query, "rows": rows})


class ReplaceForm(forms.Form):
    replaced_on = forms.DateField(
        label=gettext_lazy("Replaced on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    serial_number = forms.CharField(label=gettext_lazy("New meter's serial number"), max_length=64)
    legalisation_valid_until = forms.DateField(
        label=gettext_lazy("New meter's legalisation valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, meter: Meter, **kwargs):
        super().__init__(*args, **kwargs)
        for register in meter.registers.all():
            zone = register_name(register.code)
            self.fields[f"final_{register.code}"] = forms.CharField(
                label=_("Old meter's final reading (%(zone)s)") % {"zone": zone}, max_length=20
            )
            self.fields[f"initial_{register.code}"] = forms.CharField(
                label=_("New meter's initial reading (%(zone)s)") % {"zone": zone}, max_length=20
            )


@staff_required("meters.manage")
def meter_replace(request, pk: int):
    meter = Meter.objects.filter(pk=pk, removed_on__isnull=True).select_related("premises").first()
    if meter is None:
        raise Http404
    form = ReplaceForm(request.POST or None, meter=meter)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            codes = [r.code for r in meter.registers.all()]
            try:
                new = services.meter_replace(
                    actor=request.user,
                    meter_id=meter.pk,
                    replaced_on=data["replaced_on"],
                    final_values={c: data[f"final_{c}"] for c in codes},
                    serial_number=data["serial_number"],
                    initial_values={c: data[f"initial_{c}"] for c in codes},
                    legalisation_valid_until=data["legalisation_valid_until"],
                )
            except ApplicationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Meter %(old)s replaced by %(new)s.")
                    % {"old": meter.serial_number, "new": new.serial_number},
                )
                return redirect(f"{reverse('metering_office_meters')}?q={new.serial_number}")
        status = 400
    return render(
        request, "metering/office/replace.html", {"meter": meter, "form": form}, status=status
    )


@require_POST
@staff_required("meters.manage")
def window_delete(request, pk: int):
    window = ReadingWindow.objects.filter(pk=pk).first()
    if window is None:
        raise Http404
    window.delete()  # readings keep their values; they only lose the period's name
    messages.success(request, _("The reading period has been removed."))
    return redirect("metering_office_windows")


@staff_required("readings.review")
def alerts(request):
    """Unusual consumption found on meters, newest first, for the office to follow up."""
    rows = (
        MeterAlert.objects.filter(resolved_at__isnull=True)
        .select_related("meter__premises")
        .order_by("-detected_on", "-pk")[:200]
    )
    return render(request, "metering/office/alerts.html", {"rows": rows})


@require_POST
@staff_required("readings.review")
def alert_resolve(request, pk: int):
    done = MeterAlert.objects.filter(pk=pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=request.user
    )
    if not done:
        raise Http404
    messages.success(request, _("The alert is closed."))
    return redirect("metering_office_alerts")


@staff_required("meters.manage")
def window_missing(request, pk: int):
    """The meters a reading period covers that have no reading in it yet."""
    window = ReadingWindow.objects.filter(pk=pk).first()
    if window is None:
        raise Http404
    return render(
        request,
        "metering/office/missing.html",
        {"window": window, "meters": selectors.meters_without_reading(window=window)[:1000]},
    )


@staff_required("meters.manage")
def window_edit(request, pk: int):
    window = ReadingWindow.objects.filter(pk=pk).first()
    if window is None:
        raise Http404
    initial = {
        "name": window.name,
        "opens_on": window.opens_on,
        "closes_on": window.closes_on,
        "meter_kinds": window.meter_kinds,
        "estate": window.estate,
        "building": window.building_id,
    }
    form = WindowForm(request.POST or None, initial=initial)
    if request.method == "POST" and _window_saved(request, form, window.pk):
        return redirect("metering_office_windows")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "metering/office/window.html", {"form": form, "window": window}, status=status
    )
