"""A customer's request for their own data (art. 15 and 20 GDPR): built in the background, kept
for a week, downloaded from the account page by the account's own session only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Could not be prepared")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    path = models.CharField(max_length=200, blank=True)  # in the tenant's folder of the media
    size = models.PositiveIntegerField(default=0)
    rows = models.JSONField(default=dict, blank=True)  # rows per holding, as built
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One export being prepared per account at a time (a second request waits for it).
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="queued"),
                name="identity_dataexport_one_queued",
            )
        ]

    def __str__(self) -> str:
        return f"data export {self.pk} of {self.user_id} ({self.status})"


class ErasureRequest(models.Model):
    """A request to erase a person's data (art. 17 GDPR): asked by the customer in their account,
    or recorded by staff acting on one (with the reason); carried out by staff within the month
    the law gives, from the office's queue. What was erased, anonymised and kept (with the law
    and the day it goes) is recorded in ``outcome``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Carried out")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateField()
    asked_by = models.CharField(max_length=150)  # "customer", or the member of staff's login
    reason = models.TextField(blank=True)  # staff: on what the request was made
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.CharField(max_length=150, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="identity_erasure_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"erasure {self.pk} ({self.status})"


class RetentionRun(models.Model):
    """What the nightly retention job deleted in this tenant on a day, per holding of the
    registry of personal data (core.personal_data.apply_retention): shown to the administrator
    beside the record of processing."""

    ran_on = models.DateField(unique=True)
    finished_at = models.DateTimeField(auto_now=True)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_on"]

    def __str__(self) -> str:
        return f"retention {self.ran_on}"
