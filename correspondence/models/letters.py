"""Letters from the organisation (korespondencja): a text with an optional PDF, to one customer,
a building's customers or everyone; each customer account marks them read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Letter(models.Model):
    class Target(models.TextChoices):
        CUSTOMER = "customer", _("One customer")
        BUILDING = "building", _("A building's customers")
        EVERYONE = "everyone", _("Everyone")

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    target = models.CharField(max_length=10, choices=Target.choices)
    customer = models.ForeignKey(
        "billing.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="letters"
    )
    building = models.ForeignKey(
        "billing.Building", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pdf_path = models.CharField(max_length=200, blank=True)
    pdf_name = models.CharField(max_length=120, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target="customer", customer__isnull=False, building__isnull=True)
                    | Q(target="building", building__isnull=False, customer__isnull=True)
                    | Q(target="everyone", customer__isnull=True, building__isnull=True)
                ),
                name="letter_target_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class LetterRead(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["letter", "user"], name="letterread_once"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}: {self.user_id}"
