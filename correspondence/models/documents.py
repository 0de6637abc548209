"""The organisation's documents (statute, resolutions, minutes, financial statements, price
lists): a category, an audience, and versions; each download goes through the access check."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Document(models.Model):
    class Category(models.TextChoices):
        STATUTE = "statute", pgettext_lazy("document category", "Statute and regulations")
        RESOLUTIONS = "resolutions", pgettext_lazy("document category", "Resolutions")
        MINUTES = "minutes", pgettext_lazy("document category", "Minutes")
        REPORTS = "reports", pgettext_lazy("document category", "Reports and financial statements")
        PRICE_LISTS = "price_lists", pgettext_lazy("document category", "Price lists and tariffs")
        FORMS = "forms", pgettext_lazy("document category", "Forms")
        OTHER = "other", pgettext_lazy("document category", "Other")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone (public page)")
        CUSTOMERS = "customers", _("All customers")
        MEMBERS = "members", _("Members of the cooperative")
        BUILDING = "building", _("One building")

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.OTHER)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    building = models.ForeignKey(
        "billing.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    published_on = models.DateField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="building", building__isnull=False)
                | (~Q(audience="building") & Q(building__isnull=True)),
                name="document_building_iff_building_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    path = models.CharField(max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documentversion_number")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"
