"""Consent to e-invoices and its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.accounts import Customer


class EInvoiceConsent(models.Model):
    """The customer's consent to e-invoices; every change is kept in EInvoiceConsentEvent."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="einvoice")
    active = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(active=False) | ~Q(email=""), name="einvoice_active_has_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.active}"


class EInvoiceConsentEvent(models.Model):
    class Action(models.TextChoices):
        ACTIVATED = "activated", _("Activated")
        EMAIL_CHANGED = "email_changed", _("E-mail changed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="einvoice_events")
    action = models.CharField(max_length=16, choices=Action.choices)
    email = models.EmailField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.action}"
