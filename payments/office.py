"""The office's side of online payments: the tenant admin enters the organisation's merchant
account (secrets never shown again), tests the connection; staff see the payments and every
notification the gateways sent, the refused ones with the reason."""

from __future__ import annotations

import csv
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from identity.permissions import staff_required
from payments import services
from payments.models import Gateway, GatewayAccount, Notification, Payment
from tenants.policies import Module

MODULES = (Module.ONLINE_PAYMENTS,)


class AccountForm(forms.Form):
    merchant_id = forms.IntegerField(label=gettext_lazy("Merchant id"), min_value=1)
    pos_id = forms.IntegerField(
        label=gettext_lazy("Point of sale id (empty: the merchant id)"), min_value=1, required=False
    )
    api_key = forms.CharField(
        label=gettext_lazy("API key (the report key)"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    crc = forms.CharField(
        label=gettext_lazy("CRC key"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    sandbox = forms.BooleanField(label=gettext_lazy("Sandbox (test payments)"), required=False)
    enabled = forms.BooleanField(label=gettext_lazy("Take payments"), required=False)


@staff_required("tenant.configure", modules=MODULES)
def account(request):
    """Przelewy24's account: saved sealed; the keys are asked for again at every change."""
    current = GatewayAccount.objects.filter(gateway=Gateway.PRZELEWY24).first()
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.gateway_account_save(
                gateway=Gateway.PRZELEWY24,
                merchant_id=data["merchant_id"],
                pos_id=data.get("pos_id") or data["merchant_id"],
                api_key=data["api_key"],
                crc=data["crc"],
                sandbox=data["sandbox"],
                base_url=current.base_url if current else "",
                enabled=data["enabled"],
            )
            messages.success(request, _("The account has been saved."))
            return redirect("payments_office_account")
        status = 400
    else:
        initial = {"sandbox": True, "enabled": False}
        if current is not None:
            initial = {
                "merchant_id": current.merchant_id,
                "pos_id": current.pos_id,
                "sandbox": current.sandbox,
                "enabled": current.enabled,
            }
        form = AccountForm(initial=initial)
    return render(
        request,
        "payments/office/account.html",
        {"form": form, "current": current},
        status=status,
    )


@require_POST
@staff_required("tenant.configure", modules=MODULES)
def account_test(request):
    current = GatewayAccount.objects.filter(gateway=Gateway.PRZELEWY24).first()
    if current is None:
        messages.error(request, _("Save the account first."))
    else:
        try:
            working = services.client_for(current).test_access()
        except services.przelewy24.GatewayUnavailable:
            working = False
        if working:
            messages.success(request, _("The payment service accepts these keys."))
        else:
            messages.error(
                request, _("The payment service does not accept these keys or does not answer.")
            )
    return redirect("payments_office_account")


@staff_required("payments.view", modules=MODULES)
def payments_list(request):
    """Payments and the gateways' notifications, the refused ones with their reasons."""
    payments = Paginator(
        Payment.objects.select_related("customer").order_by("-created_at", "-id"), 25
    ).get_page(request.GET.get("page"))
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
