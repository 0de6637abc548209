"""Where the gateway sends the customer back: what is known of the payment. Never "paid" from
the return alone: only the gateway's verified notification books it."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import selectors as billing_selectors
from billing.views import portal_page, request_focus
from core.csp import csp_with_form_action
from core.errors import ApplicationError
from core.templatetags.ebok_format import money
from identity.views import add_form_errors
from payments import selectors, services
from tenants.policies import Module


class PayForm(forms.Form):
    invoices = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Invoices to pay"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amount = forms.CharField(
        label=gettext_lazy("Or another amount (PLN)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    customer = forms.TypedChoiceField(label=gettext_lazy("For"), coerce=int, required=False)

    def __init__(self, *args, invoices, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].choices = [
            (i.pk, f"{i.number} · {i.due_date:%d.%m.%Y} · {money(i.gross - i.paid)}")
            for i in invoices
        ]
        if len(customers) > 1:
            self.fields["customer"].choices = [("", "—"), *customers]
        else:
            del self.fields["customer"]

    def clean(self):
        data = super().clean()
        if not data.get("invoices") and not (data.get("amount") or "").strip():
            raise forms.ValidationError(_("Choose invoices or give an amount."))
        return data


def _pay_form(request, data=None) -> PayForm:
    actor, focus = request.user, request_focus(request)
    invoices = list(
        billing_selectors.unpaid_invoices(actor=actor, focus=focus).order_by("due_date", "id")[:100]
    )
    customers = [
        (c.pk, f"{c.name} ({c.symbol})")
        for c in billing_selectors.customer_list(actor=actor, focus=focus)[:200]
    ]
    chosen = [int(v) for v in request.GET.getlist("invoice") if v.isdigit()]
    return PayForm(data, invoices=invoices, customers=customers, initial={"invoices": chosen})


@portal_page(Module.ONLINE_PAYMENTS)
def pay(request):
    """Pay chosen invoices, or any amount, through the tenant's gateway."""
    if not services.payments_ready():
        raise Http404
    status = 200
    if request.method == "POST":
        form = _pay_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _payment, redirect_url = services.payment_start(
                    actor=request.user,
                    invoice_ids=data.get("invoices") or None,
                    amount=None if data.get("invoices") else data.get("amount"),
                    customer_id=data.get("customer") or None,
                    focus=request_focus(request),
                )
            except ApplicationError as exc:
                add_form_errors(form, exc)
                status = exc.status if exc.status in (400, 403, 503) else 400
            else:
                return redirect(redirect_url)
        else:
            status = 400
    else:
        form = _pay_form(request)
    response = render(request, "payments/pay.html", {"form": form}, status=status)
    # The form's answer leads to the gateway's page: the one origin it may go to besides ours.
    if origin := services.gateway_origin():
        response["Content-Security-Policy"] = csp_with_form_action(origin)
    return response


@portal_page(Module.ONLINE_PAYMENTS)
def payment_return(request, public_id):
    payment = selectors.payment_get(
        actor=request.user, public_id=public_id, focus=request_focus(request)
    )
    if payment is None:
        raise Http404
    return render(request, "payments/return.html", {"payment": payment})
