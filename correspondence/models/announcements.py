"""Announcements, planned works and failures (ogłoszenia, awarie i remonty): published by staff
for a period and a target, shown to the customers whose premises the target covers, and, for
works and failures, on a public page of current outages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Announcement(models.Model):
    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", pgettext_lazy("announcement kind", "Announcement")
        PLANNED_WORKS = "planned_works", pgettext_lazy("announcement kind", "Planned works")
        FAILURE = "failure", pgettext_lazy("announcement kind", "Failure")
        # News and offers of the organisation's own services (marketing): shown in the portal,
        # and sent only to those who consented to news and offers.
        OFFER = "offer", pgettext_lazy("announcement kind", "News and offers")

    class Target(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        ESTATE = "estate", _("An estate")
        BUILDINGS = "buildings", _("Buildings")
        AREA = "area", _("A service area (town and streets)")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ANNOUNCEMENT)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    target = models.CharField(max_length=10, choices=Target.choices, default=Target.EVERYONE)
    estate = models.CharField(max_length=120, blank=True)
    buildings = models.ManyToManyField("billing.Building", blank=True, related_name="+")
    area_city = models.CharField(max_length=80, blank=True)
    area_streets = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    # Shown from ``visible_from`` until ``visible_until`` (none: until withdrawn).
    visible_from = models.DateTimeField()
    visible_until = models.DateTimeField(null=True, blank=True)
    # Works and failures: when they start and are expected to end.
    starts_at = models.DateTimeField(null=True, blank=True)
    expected_end_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The residents were told (each by the channels they chose): when, and how many messages.
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_messages = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-visible_from", "-id"]
        indexes = [models.Index(fields=["visible_from", "visible_until"], name="announcement_vis")]
        constraints = [
            models.CheckConstraint(
                condition=Q(visible_until__isnull=True)
                | Q(visible_until__gt=models.F("visible_from")),
                name="announcement_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_outage(self) -> bool:
        return self.kind in (self.Kind.PLANNED_WORKS, self.Kind.FAILURE)


def street_key(street: str) -> str:
    """A street as announcements compare it: letter case, spacing and a leading "ul." aside."""
    key = " ".join(street.split()).casefold()
    for prefix in ("ul. ", "ul.", "al. ", "al.", "os. ", "os.", "pl. ", "pl."):
        if key.startswith(prefix):
            return key[len(prefix) :].strip()
    return key
