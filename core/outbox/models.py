from django.db import models
from django.db.models import Q


class Message(models.Model):
    """An outgoing e-mail or SMS, written in the same transaction as the change that causes it
    and delivered afterwards by a task, so nothing is lost when Redis, the mail server or the SMS
    provider is down. A message with an ``idempotency_key`` exists once per key: a job run twice,
    or an event told twice, writes nothing the second time."""

    class Channel(models.TextChoices):
        EMAIL = "email", "e-mail"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        # The dead letters: every allowed attempt failed, or the address can never work; staff
        # see them and may send them again.
        FAILED = "failed", "failed"

    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    template = models.CharField(max_length=100)
    language = models.CharField(max_length=5)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Extra mail headers (List-Unsubscribe and its one-click companion).
    headers = models.JSONField(default=dict, blank=True)
    # What caused it: an event of the notification catalogue and the account told, if any.
    event = models.CharField(max_length=40, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # Not before this moment: quiet hours for SMS, the backoff after a failed attempt, the next
    # minute when the tenant's pace is used up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The provider's answer: its id of the message, the parts an SMS took, and the delivery
    # report it sent back later.
    provider_id = models.CharField(max_length=64, blank=True)
    parts = models.PositiveSmallIntegerField(default=0)
    delivery_status = models.CharField(max_length=20, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_pending_idx"),
            models.Index(
                fields=["user_id", "-created_at"],
                condition=Q(user_id__isnull=False),
                name="outbox_user_idx",
            ),
            models.Index(
                fields=["provider_id"], condition=~Q(provider_id=""), name="outbox_provider_idx"
            ),
            # "Who was told of this occurrence": a prefix of the key (LIKE 'event:key:%').
            models.Index(
                fields=["idempotency_key"],
                opclasses=["varchar_pattern_ops"],
                condition=Q(idempotency_key__isnull=False),
                name="outbox_key_prefix_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]),
                name="outbox_status_valid",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="outbox_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
