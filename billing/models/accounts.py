"""Who and what: customers, buildings, premises, legal titles, contracts and points of supply."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A payer (kontrahent): a person or a business."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        BUSINESS = "business", _("Business")

    erp_id = models.CharField(max_length=64, unique=True)
    symbol = models.CharField(_("customer symbol"), max_length=32, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(_("name"), max_length=200)
    # PESEL is personal data: only a keyed hash (to match registrations) and a masked form are
    # stored, never the number itself (billing.pesel).
    pesel_hash = models.CharField(max_length=64, blank=True, db_index=True)
    pesel_masked = models.CharField(max_length=11, blank=True)
    nip = models.CharField(max_length=10, blank=True, db_index=True)
    street = models.CharField(max_length=120, blank=True)
    building_no = models.CharField(max_length=20, blank=True)
    flat_no = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=6, blank=True)
    city = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    membership_number = models.CharField(max_length=32, blank=True)
    member_since = models.DateField(null=True, blank=True)
    bank_account = models.CharField(_("individual account number"), max_length=26, blank=True)
    debt_status = models.CharField(max_length=40, blank=True)  # the ERP's debt-collection stage
    # Where overpayments are returned (NRB), as the customer asked through a change request.
    refund_account = models.CharField(_("refund account number"), max_length=26, blank=True)
    # The platform account that sees this customer (one account per customer; an account may
    # hold several customers).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Erased at the customer's request (art. 17 GDPR): the contact data the ERP sends again is
    # not taken back (billing.importing: ``EntitySpec.kept_erased``).
    erased_at = models.DateTimeField(null=True, blank=True)
    # What the office's search looks in (billing.search builds it): never shown.
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["name", "symbol"]
        indexes = [GinIndex(fields=["search"], name="billing_customer_search")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["individual", "business"]), name="customer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(bank_account="") | Q(bank_account__regex=r"^\d{26}$"),
                name="customer_bank_account_26_digits",
            ),
            models.CheckConstraint(
                condition=Q(refund_account="") | Q(refund_account__regex=r"^\d{26}$"),
                name="customer_refund_account_26_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.name}"


class Building(models.Model):
    erp_id = models.CharField(max_length=64, unique=True)
    estate = models.CharField(max_length=120, blank=True)
    street = models.CharField(max_length=120)
    building_no = models.CharField(max_length=20)
    postcode = models.CharField(max_length=6, blank=True)
    city = models.CharField(max_length=80)

    class Meta:
        ordering = ["city", "street", "building_no"]

    def __str__(self) -> str:
        return f"{self.street} {self.building_no}, {self.city}"


class Premises(models.Model):
    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Commercial")
        OTHER = "other", _("Other")
        PARKING = "parking", _("Parking space")
        LAND = "land", _("Land")

    erp_id = models.CharField(max_length=64, unique=True)
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="premises"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RESIDENTIAL)
    street = models.CharField(max_length=120)
    building_no = models.CharField(max_length=20)
    flat_no = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=6, blank=True)
    city = models.CharField(max_length=80)
    area = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["city", "street", "building_no", "flat_no"]
        verbose_name_plural = "premises"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["residential", "commercial", "other", "parking", "land"]),
                name="premises_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(area__gt=0), name="premises_area_positive"
            ),
        ]

    def __str__(self) -> str:
        flat = f"/{self.flat_no}" if self.flat_no else ""
        return f"{self.street} {self.building_no}{flat}, {self.city}"


class LegalTitle(models.Model):
    """A customer's legal title to a premises for a period (ownership, tenancy, membership)."""

    erp_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="legal_titles")
    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="legal_titles")
    kind = models.CharField(max_length=40, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["premises_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="legal_title_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.premises_id}"


class Contract(models.Model):
    class Kind(models.TextChoices):
        WATER_SEWAGE = "water_sewage", _("Water and sewage")
        ENERGY = "energy", _("Energy")
        HOUSING = "housing", _("Housing")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED_BY_CUSTOMER = "signed_by_customer", _("Signed by the customer")
        ACTIVE = "active", _("Active")
        TERMINATED = "terminated", _("Terminated")

    erp_id = models.CharField(max_length=64, unique=True)
    number = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contracts")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["water_sewage", "energy", "housing"]),
                name="contract_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed_by_customer", "active", "terminated"]),
                name="contract_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ServicePoint(models.Model):
    """A point of supply (PPE) or a water connection, with its meter."""

    erp_id = models.CharField(max_length=64, unique=True)
    code = models.CharField(max_length=64)
    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="service_points")
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.SET_NULL, related_name="service_points"
    )
    meter_number = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
