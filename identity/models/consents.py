"""Consents a person gives and takes back (art. 7 GDPR): every grant and every withdrawal is a
row of its own, with the version of the consent's text, the privacy notice in force, the time
and the channel. The current state of a purpose is its newest row; nothing is ever updated."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentChannel(models.TextChoices):
    """How a consent or an acceptance reached us."""

    REGISTRATION = "registration", _("Registration form")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    OFFICE = "office", _("Office")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")


class ConsentPurpose(models.TextChoices):
    """What a consent is for. Marketing is offered where the organisation has published the
    consent's text (a document of kind ``marketing_consent``); the e-invoice consent is given
    and withdrawn on billing's e-invoice page, per customer (``subject``: the customer's symbol);
    the service consent is the one a registration form asks for where the tenant's rules say
    so."""

    MARKETING = "marketing", _("News and offers by e-mail and text message")
    E_INVOICE = "e_invoice", _("Invoices by e-mail (e-invoice)")
    SERVICE = "service", _("Processing my data for the e-BOK service")


class ConsentRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records"
    )
    purpose = models.CharField(max_length=16, choices=ConsentPurpose.choices)
    # What the consent is about where the purpose has several (the e-invoice: the customer).
    subject = models.CharField(max_length=40, blank=True)
    granted = models.BooleanField()
    # The text consented to (none where the tenant published no text of its own: the
    # platform's wording of ``purpose`` stands, version 0) and the privacy notice in force.
    text = models.ForeignKey(
        "identity.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    privacy_notice = models.ForeignKey(
        "identity.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=ConsentChannel.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # A member of staff who recorded it on the customer's word (none: the customer themselves).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "purpose", "-created_at"], name="consent_user_purpose")
        ]

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.user_id} {self.purpose} {state}"

    @property
    def text_version(self) -> int:
        return self.text.version if self.text else 0
