"""Registration requests: what an applicant gave, what was matched, and the outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationRequest(models.Model):
    """One application for an account, as the tenant's registration flow asks for it. Holds no
    PESEL: only what is needed to decide and to write back (the proof is matched, not kept)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, being verified")
        AWAITING_REVIEW = "awaiting_review", _("Waiting for the office")
        ACTIVATION_SENT = "activation_sent", _("Activation link sent")
        COMPLETED = "completed", _("Account active")
        REJECTED = "rejected", _("Rejected")
        NOT_RECOGNISED = "not_recognised", _("Not recognised")

    flow = models.CharField(max_length=32)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    login = models.CharField(max_length=150, blank=True)  # the login asked for (or a PESEL alias)
    # The language the applicant wrote in: every message about the request is written in it.
    language = models.CharField(max_length=5, blank=True)
    details = models.JSONField(default=dict)  # what staff see: symbol, name, address, masked ids
    proof = models.JSONField(default=dict)  # what the matcher needs (hashed identifiers only)
    matched_customers = models.JSONField(default=list)
    # The versions of the documents accepted in the form; recorded on the account when it exists.
    accepted_documents = models.JSONField(default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.flow} {self.status} {self.email}"
