"""The office's meter pages: readings waiting for review (accept, correct or reject, the customer
is told), reading windows with the meters still unread in each, and legalisations ending."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from billing.models import Building
from core.errors import ApplicationError
from identity.permissions import staff_required
from identity.views import add_form_errors
from metering import selectors, services
from metering.models import Meter, Reading, ReadingWindow
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


def _queue_page(request, bound: ReviewForm | None = None, bound_id: int | None = None, status=200):
    items = []
    for reading in selectors.review_queue()[:50]:
        history = list(
            Reading.objects.filter(register=reading.register)
            .exclude(pk=reading.pk)
            .order_by("-read_at")[:4]
        )
        form = bound if reading.pk == bound_id else ReviewForm(prefix=f"r{reading.pk}")
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


@staff_required("meters.manage")
def windows(request):
    form = WindowForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.window_save(
                    actor=request.user,
                    name=data["name"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    meter_kinds=data["meter_kinds"],
                    estate=data["estate"],
                    building_id=data["building"].pk if data["building"] else None,
                )
            except ApplicationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The reading period has been saved."))
                return redirect("metering_office_windows")
        status = 400
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
