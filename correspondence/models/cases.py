"""Cases (zgłoszenia): what a customer (or a manager for one) files, with a readable reference
per kind and year, a status workflow, a deadline in business days and the messages both ways
(internal notes among them, which the customer never sees)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    IN_PROGRESS = "in_progress", pgettext_lazy("case status", "In progress")
    WAITING = "waiting", pgettext_lazy("case status", "Waiting for you")
    ANSWERED = "answered", pgettext_lazy("case status", "Answered")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)


def new_first():
    """0 for a new case, 1 for the others: the office's queues show the new ones first. The
    same expression orders the inbox and its index (``case_open_queue``), so the first page
    is read from the index without sorting the open cases."""
    return models.Case(
        models.When(status=CaseStatus.NEW, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


class Case(models.Model):
    class Urgency(models.TextChoices):
        NORMAL = "normal", pgettext_lazy("urgency", "Normal")
        URGENT = "urgent", pgettext_lazy("urgency", "Urgent")
        EMERGENCY = "emergency", pgettext_lazy("urgency", "Emergency: danger to people or property")

    reference = models.CharField(max_length=24, unique=True)  # REK/2026/000123
    kind = models.CharField(max_length=30)  # a CaseKind's code in the tenant's settings
    customer = models.ForeignKey("billing.Customer", on_delete=models.PROTECT, related_name="cases")
    premises = models.ForeignKey(
        "billing.Premises", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    service_point = models.ForeignKey(
        "billing.ServicePoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    subject = models.CharField(_("subject"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, blank=True)
    # A data change request: {field: new value}, applied when staff accept it.
    change = models.JSONField(default=dict, blank=True)
    change_applied_at = models.DateTimeField(null=True, blank=True)
    # Where the answer is sent, and what the public status page asks for with the reference.
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    due_on = models.DateField()
    # A digest of the first message's text: the same text filed again is refused.
    text_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox: a queue (kind, status) ordered by deadline; search by customer.
            models.Index(fields=["status", "due_on", "id"], name="case_status_due"),
            models.Index(
                new_first(),
                "due_on",
                "id",
                name="case_open_queue",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["kind", "status", "due_on"],
                name="case_open_kinds",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["customer", "created_at"], name="case_customer_created"),
            models.Index(fields=["assigned_to", "status"], name="case_assignee_status"),
            models.Index(fields=["updated_at", "id"], name="case_updated"),
            models.Index(
                fields=["kind", "rating"], name="case_rated", condition=Q(rating__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseCounter(models.Model):
    """The last number given per kind prefix and year: references count without gaps."""

    prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="casecounter_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}/{self.year}: {self.last}"


class CaseMessage(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        NOTE = "note", _("Internal note")  # staff only: never in a customer's answer
        STATUS = "status", _("Status change")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MESSAGE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    status_to = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="casemessage_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class CaseAttachment(models.Model):
    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    path = models.CharField(max_length=200)  # in the tenant's folder of the media storage
    name = models.CharField(max_length=120)  # as the sender named it (shown, never used as a path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
