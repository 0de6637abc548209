"""Writes to the outbox and its delivery."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from core.outbox.models import Message
from core.outbox.rendering import render_email
from core.outbox.tasks import outbox_deliver

logger = logging.getLogger(__name__)


def recipient_language(preferred: str | None = "") -> str:
    """The language to write to someone in: their own when it is one of the platform's, else the
    current tenant's first language (Polish), never the language of whoever caused the message."""
    if preferred and preferred in {code for code, _name in settings.LANGUAGES}:
        return preferred
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "config", None) and tenant.configuration.languages:
        return str(tenant.configuration.languages[0])
    return settings.LANGUAGE_CODE


def local_time(moment) -> str:
    """A moment as people read it in a message: day and minute in the portal's time zone."""
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def email_enqueue(
    *, to: str, template: str, context: dict | None = None, language: str | None = None
) -> Message:
    """Render an e-mail with the current tenant's branding and store it in the outbox; it is
    queued for delivery once the surrounding transaction commits. ``language`` is the
    recipient's (else the tenant's is used); text put into ``context`` must have been translated
    in that same language (compose it inside ``translation.override``)."""
    language = recipient_language(language)
    rendered = render_email(template, context or {}, language=language)
    message = Message.objects.create(
        recipient=to,
        template=template,
        language=language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )
    message_id = message.pk
    transaction.on_commit(lambda: _queue(message_id))
    return message


def _queue(message_id: int) -> None:

    try:
        outbox_deliver.delay(message_id=message_id)
    except Exception:  # noqa: BLE001 - the broker being down must not fail the request
        logger.warning("outbox: could not queue message %s; the flush job will", message_id)


def _from_address() -> str:
    tenant = getattr(connection, "tenant", None)
    address = settings.DEFAULT_FROM_EMAIL
    if tenant is not None and getattr(tenant, "config", None):
        name = tenant.configuration.branding.portal_name.replace('"', "")
        mailbox = address.rsplit("<", 1)[-1].rstrip(">") if "<" in address else address
        return f'"{name}" <{mailbox}>'
    return address


class DeliveryFailed(Exception):
    pass


def message_deliver(*, message_id: int) -> bool:
    """Send one message. Returns True when sent now, False when there was nothing to send (or it
    has just failed for the last allowed time). Raises DeliveryFailed when the attempt failed and
    may be retried; the failed attempt is recorded first. The row is locked while sending so two
    workers never send it twice."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Message.Status.PENDING)
            .first()
        )
        if message is None:
            return False
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=_from_address(),
            to=[message.recipient],
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        message.attempts += 1
        try:
            email.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any transport error is a failed attempt
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("outbox: message %s attempt %s failed", message.pk, message.attempts)
        else:
            message.status = Message.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return True
    # Outside the transaction, so the recorded failure is kept.
    if message.status == Message.Status.PENDING:
        raise DeliveryFailed(message.last_error)
    return False


def outbox_pending_ids(*, older_than_seconds: int = 120) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Message.objects.filter(status=Message.Status.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
