"""What each customer chose to be told and how, every change of it, the daily digest's waiting
items, and the tenant's SMS provider account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """A customer's channels for one event of the catalogue (none chosen: the tenant's default,
    else the catalogue's)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    event = models.CharField(max_length=40)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_choice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}: email={self.email} sms={self.sms}"


class DigestChoice(models.Model):
    """Whether the customer takes non-urgent e-mail notices once a day, in one message."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digest"
    )
    daily = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.daily}"


class PreferenceChange(models.Model):
    """Every change of a customer's choices, with when, how and by whom (as the consents are
    kept): an event's channels, or the digest (``event`` empty)."""

    class Via(models.TextChoices):
        PORTAL = "portal", _("Portal")
        API = "api", _("API")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        OFFICE = "office", _("Office")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_changes"
    )
    event = models.CharField(max_length=40, blank=True)
    email = models.BooleanField(null=True)
    sms = models.BooleanField(null=True)
    digest = models.BooleanField(null=True)
    via = models.CharField(max_length=12, choices=Via.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_change_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event or 'digest'} {self.created_at:%Y-%m-%d}"


class DigestItem(models.Model):
    """A non-urgent notice waiting for the customer's daily digest (written once per key)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    text = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The digest's outbox message (an id, not a foreign key: the outbox lives in the public
    # schema too, where this table does not, and deleting mail there must not look for it).
    sent_in = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                condition=Q(sent_in__isnull=True),
                name="digest_item_waiting",
            ),
            models.Index(
                fields=["idempotency_key"],
                opclasses=["varchar_pattern_ops"],
                name="digest_item_key_prefix",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}"


class SmsAccount(models.Model):
    """The tenant's account with the SMS provider (SMSAPI.pl's REST API): its OAuth token
    sealed at rest and never shown again, the provider's address (the local simulator in
    development), and the secret in the address delivery reports are sent to."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    sealed_token = models.TextField()
    base_url = models.URLField(default="https://api.smsapi.pl")
    callback_secret = models.CharField(max_length=64)
    enabled = models.BooleanField(default=False)
    # Sends to the provider's test mode: accepted and counted, never delivered, nothing paid.
    test_mode = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(singleton=True), name="sms_account_singleton")
        ]

    def __str__(self) -> str:
        return self.base_url
