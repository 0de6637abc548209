"""Property managers: companies, their members, grants of premises and applications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.accounts import Premises


class ManagerCompany(models.Model):
    """A property manager / administrator (a company) whose accounts see only granted premises."""

    name = models.CharField(max_length=200)
    nip = models.CharField(max_length=10, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ManagerMembership(models.Model):
    """A user account acting for a manager company."""

    company = models.ForeignKey(ManagerCompany, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_membership"
    )

    def __str__(self) -> str:
        return f"{self.user_id}@{self.company_id}"


class PremisesGrant(models.Model):
    """A manager company may see a premises (its charges, invoices, payments, service points) for
    a period; revocable; every change is kept in GrantEvent."""

    company = models.ForeignKey(ManagerCompany, on_delete=models.CASCADE, related_name="grants")
    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="grants")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["premises_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="grant_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}→{self.premises_id}"


class GrantEvent(models.Model):
    class Action(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REVOKED = "revoked", _("Revoked")

    grant = models.ForeignKey(PremisesGrant, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.grant_id} {self.action}"


class ManagerApplication(models.Model):
    """A property manager's application for access, reviewed by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the office")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    company_name = models.CharField(max_length=200)
    nip = models.CharField(max_length=10)
    contact_person = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    addresses = models.TextField()
    # The language the applicant wrote in: the office's answer is written in it.
    language = models.CharField(max_length=5, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    company = models.ForeignKey(ManagerCompany, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.status})"
