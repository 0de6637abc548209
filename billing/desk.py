"""The office's desk: find a customer (``billing.search``), open the card (every app's panels,
``core.portal.card_panels``) and correct the account's contact data. Showing either is recorded
as staff access: who, whose, which data, and why (the search typed)."""

from __future__ import annotations

import csv
import io
from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import access, reports, search
from billing.models import Customer
from core import portal
from core.errors import ApplicationError
from core.http import base_url
from identity import services as identity_services
from identity.models import StaffAccess
from identity.permissions import has_permission, staff_required
from identity.views import request_info


def _reason(query: str) -> str:
    return _("Search: %(query)s") % {"query": query} if query else ""


@staff_required("customers.view")
def customer_search(request):
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[: search.MAX_QUERY]
    hits = search.search(query) if len(query) >= 2 else []
    customers = Customer.objects.select_related("user").in_bulk([h.customer_id for h in hits])
    results = [
        {"customer": customers[h.customer_id], "reasons": h.reasons}
        for h in hits
        if h.customer_id in customers
    ]
    for group in (StaffAccess.FieldGroup.IDENTITY, StaffAccess.FieldGroup.CONTACT):
        if not results:
            break
        identity_services.staff_access_record(  # the names and the addresses shown
            actor=request.user,
            customer_ids=[r["customer"].pk for r in results],
            field_group=group,
            purpose=StaffAccess.Purpose.CUSTOMER_SEARCH,
            reason=_reason(query),
        )
    return render(
        request,
        "billing/office/customer_search.html",
        {
            "query": query,
            "results": results,
            "many": getattr(hits, "many", False) or getattr(hits, "capped", False),
            "too_short": 0 < len(query) < 2,
        },
    )


@staff_required("customers.view")
def customer_card(request, pk: int):
    return _card(request, get_object_or_404(Customer.objects.select_related("user"), pk=pk))


def _card(request, customer: Customer, *, contact_form: ContactForm | None = None, status=200):
    config = request.tenant.configuration
    panels = []
    for panel in portal.card_panels():
        if not (has_permission(request.user, panel.permission) and panel.offered(config)):
            continue
        context = panel.context(customer, request.user)
        if context is not None:
            panels.append({"panel": panel, "context": context})
    groups = [StaffAccess.FieldGroup.IDENTITY, StaffAccess.FieldGroup.CONTACT]
    if any(p["panel"].permission == "customers.finance" for p in panels):
        groups.append(StaffAccess.FieldGroup.FINANCIAL)
    query = request.GET.get("q", "").replace("\x00", "")[: search.MAX_QUERY]
    for group in groups:
        identity_services.staff_access_record(
            actor=request.user,
            customer_ids=[customer.pk],
            account=customer.user,  # one row names the customer and the account
            field_group=group,
            purpose=StaffAccess.Purpose.CUSTOMER_CARD,
            reason=_reason(query),
        )
    if contact_form is None and customer.user and has_permission(request.user, "customers.edit"):
        contact_form = ContactForm(initial=ContactForm.initial_for(customer.user))
    return render(
        request,
        "billing/office/customer_card.html",
        {
            "customer": customer,
            "panels": panels,
            "query": query,
            "contact_form": contact_form,
        },
        status=status,
    )


class ContactForm(forms.Form):
    """The account's contact data as the office corrects it (the customer's own page has the
    same fields; both go through ``identity.services.profile_update``)."""

    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy("A new address is used once its owner opens the link sent to it."),
    )
    street = forms.CharField(label=gettext_lazy("Street"), max_length=120, required=False)
    house_no = forms.CharField(label=gettext_lazy("House number"), max_length=20, required=False)
    flat_no = forms.CharField(label=gettext_lazy("Flat number"), max_length=20, required=False)
    postcode = forms.CharField(label=gettext_lazy("Postcode"), max_length=10, required=False)
    town = forms.CharField(label=gettext_lazy("Town"), max_length=80, required=False)

    ADDRESS = ("street", "house_no", "flat_no", "postcode", "town")

    @classmethod
    def initial_for(cls, user) -> dict:
        address = getattr(user, "correspondence_address", None)
        initial = {"phone": user.phone, "email": user.email}
        if address is not None:
            initial.update({name: getattr(address, name) for name in cls.ADDRESS})
        return initial


@require_POST
@staff_required("customers.edit")
def customer_contact(request, pk: int):
    """Correct the account's phone, e-mail and correspondence address; a refusal shows the card
    again with the form's messages and changes nothing."""
    customer = get_object_or_404(Customer.objects.select_related("user"), pk=pk)
    if customer.user is None:
        messages.error(request, _("This customer has no account in the portal."))
        return redirect("office_customer", pk=customer.pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        address = {name: data[name] for name in ContactForm.ADDRESS} | {"country": "Polska"}
        try:
            identity_services.profile_update(
                user=customer.user,
                actor=request.user,
                info=request_info(request),
                base_url=base_url(request),
                phone=data["phone"],
                email=data["email"],
                address=address,
            )
        except ApplicationError as exc:
            for field, problems in exc.extra.get("fields", {}).items():
                name = field.removeprefix("address.")
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
            if not form.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("The contact data are saved."))
            return redirect("office_customer", pk=customer.pk)
    return _card(request, customer, contact_form=form, status=400)


@staff_required("accounts.block")
def access_ending(request):
    """Accounts whose every legal title ended: when their owner is told and when they are
    blocked (the tenant's access policy; nothing listed where it is off)."""
    if not request.tenant.configuration.access.end_with_legal_title:
        raise Http404
    endings = access.accounts_losing_access()
    customers: dict[int, list[Customer]] = {}
    for customer in Customer.objects.filter(user_id__in=[e.user.pk for e in endings]):
        customers.setdefault(customer.user_id, []).append(customer)
    if endings:
        identity_services.staff_access_record(
            actor=request.user,
            users=[e.user for e in endings],
            field_group=StaffAccess.FieldGroup.IDENTITY,
            purpose=StaffAccess.Purpose.ACCOUNT_SEARCH,
            reason=_("Legal titles ended"),
        )
    return render(
        request,
        "billing/office/access_ending.html",
        {
            "rows": [{"ending": e, "customers": customers.get(e.user.pk, [])} for e in endings],
            "policy": request.tenant.configuration.access,
        },
    )


def _chart(report: reports.Report) -> dict | None:
    """The report's chosen column as the bars of an inline SVG (periods only)."""
    if not report.rows or not isinstance(report.rows[0][0], date):
        return None
    values = [row[report.chart_column] for row in report.rows]
    top = max(values, default=0) or 1
    width, height, gap, band = 28, 100, 8, 18
    return {
        "bars": [
            {
                "x": i * (width + gap) + gap // 2,
                "y": round(height - value / top * height, 1),
                "height": round(value / top * height, 1),
                "width": width,
                "label_x": i * (width + gap) + gap // 2 + width // 2,
                "label": row[0],
                "value": value,
            }
            for i, (row, value) in enumerate(zip(report.rows, values, strict=True))
        ],
        "width": len(values) * (width + gap),
        "full_height": height + band,
        "label_y": height + band - 4,
        "column": report.columns[report.chart_column],
    }


@staff_required("reports.view")
def office_reports(request):
    config = request.tenant.configuration
    shown = [reports.REPORTS[key]() for key in reports.REPORTS if reports.offered(key, config)]
    return render(
        request,
        "billing/office/reports.html",
        {"reports": [{"report": r, "chart": _chart(r)} for r in shown]},
    )


@staff_required("reports.view")
def office_report_csv(request, key: str):
    if key not in reports.REPORTS or not reports.offered(key, request.tenant.configuration):
        raise Http404
    report = reports.REPORTS[key]()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([str(c) for c in report.columns])
    for row in report.rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else str(v) for v in row])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}.csv"'
    return response
