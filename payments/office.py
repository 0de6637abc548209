"""The office's side of online payments: the tenant admin enters the organisation's merchant
account (secrets never shown again), tests the connection; staff see the payments and every
notification the gateways sent, the refused ones with the reason."""

from __future__ import annotations

import csv
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.http import tenant_base_url
from core.paging import keyset_page
from identity.permissions import staff_required
from payments import services
from payments.gateways import autopay
from payments.gateways.base import GatewayUnavailable
from payments.models import Gateway, GatewayAccount, Notification, Payment
from tenants.policies import Module

MODULES = (Module.ONLINE_PAYMENTS,)


def _secret(label) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class AccountForm(forms.Form):
    """What every gateway's account has; each gateway's form adds its own ids and keys and
    says how they are kept (``account``)."""

    sandbox = forms.BooleanField(label=gettext_lazy("Sandbox (test payments)"), required=False)
    enabled = forms.BooleanField(label=gettext_lazy("Take payments"), required=False)
    # The gateway notifies one address per account, given to it in its panel (shown here).
    one_notify_address = False

    def account(self) -> dict:
        raise NotImplementedError

    @classmethod
    def initial_of(cls, account: GatewayAccount) -> dict:
        return {
            "merchant_id": account.merchant_id,
            "sandbox": account.sandbox,
            "enabled": account.enabled,
        }


class Przelewy24Form(AccountForm):
    help = gettext_lazy("Przelewy24: the keys are in the merchant panel (My data → API keys).")
    merchant_id = forms.IntegerField(label=gettext_lazy("Merchant id"), min_value=1)
    pos_id = forms.IntegerField(
        label=gettext_lazy("Point of sale id (empty: the merchant id)"), min_value=1, required=False
    )
    api_key = _secret(gettext_lazy("API key (the report key)"))
    crc = _secret(gettext_lazy("CRC key"))
    field_order = ["merchant_id", "pos_id", "api_key", "crc", "sandbox", "enabled"]

    def account(self) -> dict:
        d = self.cleaned_data
        return {
            "merchant_id": d["merchant_id"],
            "pos_id": d.get("pos_id") or d["merchant_id"],
            "secrets": {"api_key": d["api_key"], "crc": d["crc"]},
        }

    @classmethod
    def initial_of(cls, account):
        return {**super().initial_of(account), "pos_id": account.pos_id}


PAYU_ALGORITHMS = [("SHA-256", "SHA-256"), ("MD5", "MD5")]


class PayUForm(AccountForm):
    help = gettext_lazy(
        "PayU: the point of sale's keys are in the merchant panel (Online payment → My shops → "
        "Points of sale). Notifications are accepted only when signed by the algorithm chosen "
        "here. Codes typed on this portal's own BLIK field need a point of sale PayU set up for "
        "them: leave its fields empty if you have none."
    )
    merchant_id = forms.IntegerField(label=gettext_lazy("Point of sale id (pos_id)"), min_value=1)
    client_id = forms.CharField(label=gettext_lazy("OAuth client_id"), max_length=100)
    client_secret = _secret(gettext_lazy("OAuth client_secret"))
    second_key = _secret(gettext_lazy("Second key (MD5)"))
    algorithm = forms.ChoiceField(
        label=gettext_lazy("Notification signature algorithm"), choices=PAYU_ALGORITHMS
    )
    pos_id = forms.IntegerField(
        label=gettext_lazy("BLIK point of sale id (optional)"), min_value=1, required=False
    )
    blik_client_id = forms.CharField(
        label=gettext_lazy("BLIK point of sale: client_id"), max_length=100, required=False
    )
    blik_client_secret = _secret(gettext_lazy("BLIK point of sale: client_secret"))
    blik_second_key = _secret(gettext_lazy("BLIK point of sale: second key"))
    field_order = [
        "merchant_id",
        "client_id",
        "client_secret",
        "second_key",
        "algorithm",
        "pos_id",
        "blik_client_id",
        "blik_client_secret",
        "blik_second_key",
        "sandbox",
        "enabled",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("blik_client_secret", "blik_second_key"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        blik = ("pos_id", "blik_client_id", "blik_client_secret", "blik_second_key")
        given = [bool(data.get(k)) for k in blik]
        if any(given) and not all(given):
            raise forms.ValidationError(
                _("Fill in all four fields of the BLIK point of sale, or none.")
            )
        return data

    def account(self) -> dict:
        d = self.cleaned_data
        keys = ("client_id", "client_secret", "second_key")
        blik = ("blik_client_id", "blik_client_secret", "blik_second_key")
        return {
            "merchant_id": d["merchant_id"],
            "pos_id": d.get("pos_id") or 0,
            "options": {"algorithm": d["algorithm"]},
            "secrets": {k: d.get(k) or "" for k in (*keys, *blik)},
        }

    @classmethod
    def initial_of(cls, account):
        return {
            **super().initial_of(account),
            "pos_id": account.pos_id or None,
            "algorithm": account.options.get("algorithm", "SHA-256"),
        }


class AutopayForm(AccountForm):
    help = gettext_lazy(
        "Autopay: the service id and its shared key are in the merchant panel; the hash "
        "algorithm must be the one set there. Give Autopay the ITN address below."
    )
    merchant_id = forms.IntegerField(label=gettext_lazy("Service id (ServiceID)"), min_value=1)
    shared_key = _secret(gettext_lazy("Shared key"))
    algorithm = forms.ChoiceField(
        label=gettext_lazy("Hash algorithm"),
        choices=[(a, a.upper().replace("SHA", "SHA-")) for a in autopay.ALGORITHMS],
    )
    field_order = ["merchant_id", "shared_key", "algorithm", "sandbox", "enabled"]
    one_notify_address = True

    def account(self) -> dict:
        d = self.cleaned_data
        return {
            "merchant_id": d["merchant_id"],
            "options": {"algorithm": d["algorithm"]},
            "secrets": {"shared_key": d["shared_key"]},
        }

    @classmethod
    def initial_of(cls, account):
        return {**super().initial_of(account), "algorithm": account.options.get("algorithm")}


FORMS: dict[str, type[AccountForm]] = {
    Gateway.PRZELEWY24: Przelewy24Form,
    Gateway.PAYU: PayUForm,
    Gateway.AUTOPAY: AutopayForm,
}


@staff_required("tenant.configure", modules=MODULES)
@require_GET
def accounts(request):
    """The organisation's merchant accounts: one per gateway, any number enabled."""
    known = {a.gateway: a for a in GatewayAccount.objects.all()}
    rows = [(Gateway(g), known.get(g)) for g in Gateway.values]
    return render(request, "payments/office/accounts.html", {"rows": rows})


@staff_required("tenant.configure", modules=MODULES)
def account(request, gateway: str):
    """One gateway's account: saved sealed; the keys are asked for again at every change."""
    if gateway not in FORMS:
        raise Http404
    form_class = FORMS[gateway]
    current = GatewayAccount.objects.filter(gateway=gateway).first()
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            services.gateway_account_save(
                gateway=gateway,
                sandbox=form.cleaned_data["sandbox"],
                base_url=current.base_url if current else "",
                enabled=form.cleaned_data["enabled"],
                **form.account(),
            )
            messages.success(request, _("The account has been saved."))
            return redirect("payments_office_gateway", gateway=gateway)
        status = 400
    else:
        initial = {"sandbox": True, "enabled": False}
        form = form_class(initial=form_class.initial_of(current) if current else initial)
    itn = None
    if form_class.one_notify_address:
        itn = tenant_base_url() + reverse("api-payments-notify", args=[gateway])
    return render(
        request,
        "payments/office/account.html",
        {
            "form": form,
            "current": current,
            "gateway": Gateway(gateway),
            "itn": itn,
        },
        status=status,
    )


@require_POST
@staff_required("tenant.configure", modules=MODULES)
def account_test(request, gateway: str):
    current = GatewayAccount.objects.filter(gateway=gateway).first()
    if current is None:
        messages.error(request, _("Save the account first."))
    else:
        try:
            working = services.client_for(current).test_access()
        except GatewayUnavailable:
            working = False
        if working:
            messages.success(request, _("The payment service accepts these keys."))
        else:
            messages.error(
                request, _("The payment service does not accept these keys or does not answer.")
            )
    return redirect("payments_office_gateway", gateway=gateway)


@staff_required("payments.view", modules=MODULES)
def payments_list(request):
    """Payments and the gateways' notifications, the refused ones with their reasons."""
    payments = keyset_page(
        request, Payment.objects.select_related("customer").order_by("-created_at", "-id"), 25
    )
    notifications = Notification.objects.select_related("payment").order_by("-received_at", "-id")[
        :50
    ]
    return render(
        request,
        "payments/office/payments.html",
        {"page": payments, "notifications": notifications},
    )


@staff_required("payments.view", modules=MODULES)
def payments_csv(request):
    """Booked online payments as CSV, for an ERP without the API: one row per invoice paid (a
    payment of no invoice: one row with the invoice empty)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="online-payments.csv"'
    response.write("\ufeff")  # spreadsheets read the file as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        ["booked_at", "customer_erp_id", "amount", "gateway", "transaction_id", "invoice_erp_id"]
    )
    rows = (
        Payment.objects.filter(status=Payment.Status.COMPLETED)
        .select_related("customer")
        .prefetch_related("allocations__invoice")
        .order_by("completed_at", "id")
    )
    for payment in rows.iterator(chunk_size=500):
        booked = timezone.localtime(payment.completed_at).isoformat()
        parts = [
            (a.invoice.erp_id, Decimal(a.amount_grosze) / 100) for a in payment.allocations.all()
        ] or [("", payment.amount)]
        for invoice, amount in parts:
            writer.writerow(
                [
                    booked,
                    payment.customer.erp_id,
                    f"{amount:.2f}",
                    payment.gateway,
                    payment.provider_transaction_id,
                    invoice,
                ]
            )
    return response
