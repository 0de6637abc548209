"""Where the gateway sends the customer back: what is known of the payment. Never "paid" from
the return alone: only the gateway's verified notification books it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import selectors as billing_selectors
from billing.views import portal_page, request_focus
from core.csp import csp_with_form_action
from core.errors import ApplicationError
from core.templatetags.ebok_format import money
from core.throttling import client_ip
from identity.views import add_form_errors
from payments import selectors, services
from payments.models import Gateway
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
    gateway = forms.ChoiceField(
        label=gettext_lazy("Pay through"), required=False, widget=forms.RadioSelect
    )
    blik_code = forms.CharField(
        label=gettext_lazy("BLIK code (optional)"),
        help_text=gettext_lazy(
            "Six digits from your bank's app: you confirm the payment there, without leaving "
            "this page."
        ),
        max_length=7,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )

    def __init__(self, *args, invoices, customers, gateways, blik, **kwargs):
        super().__init__(*args, **kwargs)
        if len(gateways) > 1:
            self.fields["gateway"].choices = [(g, Gateway(g).label) for g in gateways]
            self.fields["gateway"].required = True
            self.fields["gateway"].initial = gateways[0]
        else:
            del self.fields["gateway"]
        if not blik:
            del self.fields["blik_code"]
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


def _pay_form(request, clients, data=None) -> PayForm:
    actor, focus = request.user, request_focus(request)
    invoices = list(
        selectors.payable_invoices(actor=actor, focus=focus).order_by("due_date", "id")[:100]
    )
    customers = [
        (c.pk, f"{c.name} ({c.symbol})")
        for c in billing_selectors.customer_list(actor=actor, focus=focus)[:200]
    ]
    chosen = [int(v) for v in request.GET.getlist("invoice") if v.isdigit()]
    return PayForm(
        data,
        invoices=invoices,
        customers=customers,
        gateways=[gateway for gateway, _client in clients],
        blik=bool(services.blik_code_gateways(clients)),
        initial={"invoices": chosen},
    )


@portal_page(Module.ONLINE_PAYMENTS)
def pay(request):
    """Pay chosen invoices, or any amount, through the tenant's gateway."""
    if not services.payments_ready():
        raise Http404
    clients = services.enabled_clients()  # the gateways offered, their codes and pages
    status = 200
    if request.method == "POST":
        form = _pay_form(request, clients, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment, redirect_url = services.payment_start(
                    actor=request.user,
                    invoice_ids=data.get("invoices") or None,
                    amount=None if data.get("invoices") else data.get("amount"),
                    customer_id=data.get("customer") or None,
                    focus=request_focus(request),
                    gateway=data.get("gateway") or None,
                    blik_code=data.get("blik_code") or "",
                    customer_ip=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except ApplicationError as exc:
                add_form_errors(form, exc)
                status = exc.status if exc.status in (400, 403, 503) else 400
            else:
                if redirect_url is None:  # a BLIK code typed here: confirmed in the bank's app
                    messages.info(request, _("Confirm the payment in your bank's app now."))
                return redirect(
                    redirect_url or reverse("payments_return", args=[payment.public_id])
                )
        else:
            status = 400
    else:
        form = _pay_form(request, clients)
    response = render(request, "payments/pay.html", {"form": form}, status=status)
    # The form's answer leads to a gateway's page: the origins it may go to besides ours.
    if origins := services.gateway_origins(clients):
        response["Content-Security-Policy"] = csp_with_form_action(" ".join(origins))
    return response


@portal_page(Module.ONLINE_PAYMENTS)
def payment_return(request, public_id):
    payment = selectors.payment_get(
        actor=request.user, public_id=public_id, focus=request_focus(request)
    )
    if payment is None:
        raise Http404
    return render(request, "payments/return.html", {"payment": payment})
