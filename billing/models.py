"""The customer's account with the organisation: who (customers), what (premises, contracts,
service points), and the money (charges, invoices, payments received, settlements).

Rows come from the organisation's ERP and carry its identifiers (``erp_id``), by which the import
upserts them. Amounts are ``Decimal`` in PLN with two places; the database enforces what it can.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


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

    class Meta:
        ordering = ["name", "symbol"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["individual", "business"]), name="customer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(bank_account="") | Q(bank_account__regex=r"^\d{26}$"),
                name="customer_bank_account_26_digits",
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


class Charge(models.Model):
    """A charge (naliczenie) for one component and month: what the customer owes."""

    erp_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="charges")
    premises = models.ForeignKey(
        Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="charges"
    )
    component = models.CharField(max_length=120)
    period = models.DateField()  # the first day of the month charged
    amount = models.DecimalField(**MONEY)
    due_date = models.DateField()

    class Meta:
        ordering = ["-period", "component"]
        indexes = [models.Index(fields=["customer", "period"], name="charge_customer_period_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(period__day=1), name="charge_period_first_of_month")
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.period:%Y-%m}"


class Invoice(models.Model):
    """An invoice or another accounting document the ERP issues (a correction, a debit or an
    interest note); all are amounts due, paid the same way."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CORRECTION = "correction", _("Corrective invoice")
        DEBIT_NOTE = "debit_note", _("Debit note")
        INTEREST_NOTE = "interest_note", _("Interest note")

    erp_id = models.CharField(max_length=64, unique=True)
    number = models.CharField(max_length=64, unique=True)
    kind = models.CharField(
        _("document"), max_length=16, choices=Kind.choices, default="invoice", db_default="invoice"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="invoices")
    premises = models.ForeignKey(
        Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="invoices"
    )
    issue_date = models.DateField()
    due_date = models.DateField()
    gross = models.DecimalField(**MONEY)
    # Sum of the payments received that the ERP allocated to this invoice.
    paid = models.DecimalField(default=Decimal("0.00"), **MONEY)

    class Meta:
        ordering = ["-issue_date", "-number"]
        indexes = [
            models.Index(fields=["customer", "-issue_date"], name="invoice_customer_issue_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("issue_date")), name="invoice_due_after_issue"
            ),
            models.CheckConstraint(condition=Q(paid__gte=0), name="invoice_paid_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.gross <= 0 or self.paid >= self.gross

    @property
    def outstanding(self) -> Decimal:
        return max(self.gross - self.paid, Decimal("0.00"))


class PaymentReceived(models.Model):
    erp_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="payments")
    premises = models.ForeignKey(
        Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="payments"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    paid_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["customer", "paid_on"], name="payment_customer_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on}"


class Settlement(models.Model):
    """A settlement (rozliczenie), e.g. the yearly utility settlement: a positive amount is due
    from the customer, a negative one is a refund."""

    erp_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="settlements")
    premises = models.ForeignKey(
        Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="settlements"
    )
    kind = models.CharField(max_length=80)
    period_from = models.DateField()
    period_to = models.DateField()
    amount = models.DecimalField(**MONEY)
    issued_on = models.DateField()

    class Meta:
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")), name="settlement_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_from}–{self.period_to}"


class BalanceConfirmation(models.Model):
    """A balance the organisation asks the customer to confirm (potwierdzenie salda)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for your answer")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")

    erp_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="balance_confirmations"
    )
    as_of = models.DateField()
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "disputed"]),
                name="balance_confirmation_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed") | ~Q(comment=""), name="balance_dispute_has_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.as_of}"


class Contribution(models.Model):
    """A cooperative member's contribution (wkład) for a premises."""

    erp_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contributions")
    premises = models.ForeignKey(
        Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="contributions"
    )
    kind = models.CharField(max_length=80)
    amount = models.DecimalField(**MONEY)
    paid = models.DecimalField(default=Decimal("0.00"), **MONEY)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.kind


class EInvoiceConsent(models.Model):
    """The customer's consent to e-invoices; every change is kept in EInvoiceConsentEvent."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="einvoice")
    active = models.BooleanField(default=False)
    email = models.EmailField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(active=False) | ~Q(email=""), name="einvoice_active_has_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.active}"


class EInvoiceConsentEvent(models.Model):
    class Action(models.TextChoices):
        ACTIVATED = "activated", _("Activated")
        EMAIL_CHANGED = "email_changed", _("E-mail changed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="einvoice_events")
    action = models.CharField(max_length=16, choices=Action.choices)
    email = models.EmailField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.action}"


class ImportJob(models.Model):
    """One import of an ERP file: progress, counts and per-row errors."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    entity = models.CharField(max_length=32)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row": n, "field": name|null, "code", "detail"}]
    payload = models.TextField(blank=True)  # the file, kept until the job has run
    # Runs started (a worker lost mid-run is resumed by the sweep, up to a limit), the last sign
    # of life of the run, and why it failed (shown to staff; no trace).
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entity} #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Deposit(models.Model):
    """A deposit (kaucja) the customer paid, e.g. for a meter or a tenancy; returned or held."""

    erp_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="deposits")
    premises = models.ForeignKey(
        Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="deposits"
    )
    kind = models.CharField(max_length=80)
    amount = models.DecimalField(**MONEY)
    received_on = models.DateField()
    returned_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=models.F("received_on")),
                name="deposit_returned_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


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
