"""Documents to accept (regulations, policies), by version, and their acceptances."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.schemas import current_schema
from identity.models.consents import ConsentChannel


def document_upload_path(instance, filename: str) -> str:
    """Files live under the tenant's schema name: one tenant's files never share a folder with
    another's (they are served only through identity.views.document_pdf, never from /media/)."""
    return f"{current_schema()}/documents/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A versioned document users must accept (regulations, e-services policy, …)."""

    class Kind(models.TextChoices):
        REGULATIONS = "regulations", _("Regulations")
        E_SERVICES_POLICY = "e_services_policy", _("E-services policy")
        PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
        COOKIES_POLICY = "cookies_policy", _("Cookies policy")
        # The wording of consents (identity.models.consents), versioned like the rest.
        MARKETING_CONSENT = "marketing_consent", _("Consent to news and offers")
        E_INVOICE_CONSENT = "e_invoice_consent", _("Consent to e-invoices")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    # The title in the platform's other languages ({"en": …, "uk": …}); the Polish title stands
    # in for a language left out. The text itself is the tenant's legal wording, in Polish.
    titles = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    pdf = models.FileField(upload_to=document_upload_path, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="document_kind_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def shown_title(self) -> str:
        """The title in the reader's language, else the Polish one."""
        return (self.titles or {}).get(translation.get_language() or "pl") or self.title


class DocumentAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acceptances"
    )
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(
        max_length=12, choices=ConsentChannel.choices, default=ConsentChannel.PORTAL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document"], name="acceptance_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.document_id}"
