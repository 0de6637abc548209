"""Online payments: the tenant's merchant accounts with the gateways, each payment a customer
starts (its amount in grosze, its invoices), and every notification the gateways send, accepted
or refused."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gateway(models.TextChoices):
    PRZELEWY24 = "przelewy24", "Przelewy24"
    PAYU = "payu", "PayU"
    AUTOPAY = "autopay", "Autopay"


class GatewayAccount(models.Model):
    """The organisation's own merchant account with one gateway. Secrets (keys, client secrets)
    are sealed at rest and never shown again once saved.

    ``merchant_id`` is Przelewy24's merchant id, PayU's point of sale id, Autopay's service id;
    ``pos_id`` Przelewy24's shop (point of sale) id, PayU's BLIK point of sale (0: none)."""

    gateway = models.CharField(max_length=16, choices=Gateway.choices, unique=True)
    enabled = models.BooleanField(default=False)
    sandbox = models.BooleanField(default=True)
    # Where the gateway's API is: empty for the gateway's own (production or sandbox); an
    # address of a local simulator in development and tests.
    base_url = models.URLField(blank=True)
    merchant_id = models.PositiveIntegerField()
    pos_id = models.PositiveIntegerField(default=0)
    # The protocol's choices that are no secret: the signature's algorithm.
    options = models.JSONField(default=dict, blank=True)
    sealed_secrets = models.TextField()  # the gateway's keys as JSON, sealed
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.gateway} {self.merchant_id}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("payment status", "Pending")
        COMPLETED = "completed", pgettext_lazy("payment status", "Paid")
        FAILED = "failed", pgettext_lazy("payment status", "Not paid")

    # The id in URLs and at the gateway (the session id): nobody can guess another's.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    customer = models.ForeignKey(
        "billing.Customer", on_delete=models.PROTECT, related_name="online_payments"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount_grosze = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="PLN")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=100, blank=True)  # the gateway's reference of the order
    # The point of sale it was registered with: "" the account's own, "blik" PayU's for codes.
    point_of_sale = models.CharField(max_length=8, blank=True)
    provider_transaction_id = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A gateway's transaction books one payment, once.
            models.UniqueConstraint(
                fields=["gateway", "provider_transaction_id"],
                condition=~Q(provider_transaction_id=""),
                name="payment_once_per_transaction",
            ),
            models.CheckConstraint(condition=Q(amount_grosze__gt=0), name="payment_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_created")]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.amount_grosze) / 100).quantize(Decimal("0.01"))


class PaymentAllocation(models.Model):
    """The part of a payment meant for one invoice (the rest, if any, for the balance)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT, related_name="+")
    amount_grosze = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}"


class Notification(models.Model):
    """Every notification a gateway sent to this tenant, with what was done with it. Never a
    secret: the body's signature is not kept."""

    class Outcome(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ALREADY_BOOKED = "already_booked", _("Already booked")
        NOT_PAID = "not_paid", _("Not paid")
        NOTED = "noted", _("Noted, nothing changed")
        REFUSED = "refused", _("Refused")

    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)  # or the gateway's status word
    remote_address = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.gateway}: {self.outcome}"
