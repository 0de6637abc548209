"""The money: charges, invoices, payments received, settlements, balance confirmations,
contributions and deposits."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.accounts import Customer, Premises
from billing.models.base import MONEY


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

    # What a Polish VAT invoice says beyond the amount (the ERP's, or its FA(3) XML's).
    sale_date = models.DateField(_("date of sale"), null=True, blank=True)
    net = models.DecimalField(null=True, blank=True, **MONEY)
    vat = models.DecimalField(null=True, blank=True, **MONEY)
    # The buyer as on the invoice when it was issued (the customer's record may change since),
    # and the recipient (a cooperative's resident, where the buyer is someone else).
    buyer_name = models.CharField(max_length=256, blank=True)
    buyer_address = models.CharField(max_length=256, blank=True)
    buyer_nip = models.CharField(max_length=10, blank=True)
    recipient_name = models.CharField(max_length=256, blank=True)
    recipient_address = models.CharField(max_length=256, blank=True)
    # A corrective invoice names the one it corrects and why.
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    correction_reason = models.CharField(max_length=256, blank=True)
    split_payment = models.BooleanField(default=False, db_default=False)  # MPP: art. 108a VAT

    # KSeF, the national e-invoice system: the number it gave (35 characters), when it accepted
    # the invoice, whether it was issued offline (then OFFLINE until accepted), and the SHA-256
    # of the FA(3) XML (KOD I verifies the copy by it).
    class KsefMode(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")

    ksef_number = models.CharField(max_length=35, blank=True, db_index=True)
    ksef_accepted_at = models.DateTimeField(null=True, blank=True)
    ksef_mode = models.CharField(max_length=8, choices=KsefMode.choices, blank=True)
    xml_sha256 = models.CharField(max_length=64, blank=True)
    # KOD II of an invoice issued offline: the link the issuer signed with its offline certificate.
    kod2_url = models.CharField(max_length=2048, blank=True)

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


class InvoiceLine(models.Model):
    """A line of a VAT invoice: what, how much, the net price and the VAT rate, and the line's
    net, VAT and gross. A corrective invoice's lines come in pairs: the state before
    (``before``) and after the correction."""

    class Rate(models.TextChoices):
        R23 = "23", "23%"
        R8 = "8", "8%"
        R5 = "5", "5%"
        R0 = "0", "0%"
        EXEMPT = "zw", _("exempt")
        NOT_TAXED = "np", _("not subject to VAT")
        REVERSE = "oo", _("reverse charge")

    erp_id = models.CharField(max_length=64, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=256)
    unit = models.CharField(max_length=20, blank=True)
    # As FA(3) allows: a quantity with up to six decimals, a unit price with up to eight (an
    # energy tariff's 0,61234 zł/kWh).
    quantity = models.DecimalField(max_digits=22, decimal_places=6, null=True, blank=True)
    unit_net = models.DecimalField(max_digits=22, decimal_places=8, null=True, blank=True)
    vat_rate = models.CharField(max_length=2, choices=Rate.choices)
    net = models.DecimalField(**MONEY)
    vat = models.DecimalField(**MONEY)
    gross = models.DecimalField(**MONEY)
    before = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["invoice_id", "before", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gross=models.F("net") + models.F("vat")), name="invoice_line_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__in=["23", "8", "5", "0", "zw", "np", "oo"]),
                name="invoice_line_rate_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position}"


class InvoiceXml(models.Model):
    """The invoice's structured form FA(3) as KSeF holds it, byte for byte (KOD I's hash is of
    these bytes); the customer may download it."""

    invoice = models.OneToOneField(
        Invoice, primary_key=True, on_delete=models.CASCADE, related_name="xml"
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"FA(3) {self.invoice_id}"


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
    # The gateway's transaction id when the customer paid online in the portal (the ERP says so).
    online_transaction_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "paid_on"], name="payment_customer_date_idx"),
            models.Index(
                fields=["online_transaction_id"],
                name="payment_online_txn_idx",
                condition=~Q(online_transaction_id=""),
            ),
        ]
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


class PeriodTotal(models.Model):
    """What was charged and paid per customer, premises (none: the account as a whole) and
    month: the dashboard's balance and chart read these few rows instead of the whole history.
    Derived from charges and payments received, and kept by the import (``billing.totals``)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    premises = models.ForeignKey(
        Premises, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.DateField()  # the first day of the month
    charged = models.DecimalField(default=Decimal("0.00"), **MONEY)
    paid = models.DecimalField(default=Decimal("0.00"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "premises", "period"],
                nulls_distinct=False,
                name="period_total_key",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="period_total_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period:%Y-%m}"
