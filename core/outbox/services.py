"""Writes to the outbox and its delivery, by e-mail or SMS.

Every message is written in the caller's transaction and queued once that commits. Delivery
holds the message's row lock while it talks to the mail server or the SMS provider, so two
workers never send one message, and a worker killed mid-delivery leaves it pending (its
transaction is rolled back) for the next attempt. The provider learns the message's stable
identity (the e-mail's Message-ID, the SMS's ``idx``) so the window between its acceptance and
our commit cannot turn into a second message either. Failed attempts wait longer each time; a
message that keeps failing, or can never be delivered, becomes a dead letter staff can see and
send again. Each tenant's pace is capped per minute (its notification settings).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from smtplib import SMTPRecipientsRefused
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from psycopg.types.json import Jsonb

from core import throttling
from core.outbox.models import Message
from core.outbox.rendering import render_email
from core.outbox.tasks import outbox_deliver, outbox_deliver_batch

logger = logging.getLogger(__name__)

QUEUE_BATCH = 200  # messages per delivery task when many are written at once


def recipient_language(preferred: str | None = "") -> str:
    """The language to write to someone in: their own when it is one of the platform's, else the
    current tenant's first language (Polish), never the language of whoever caused the message."""
    if preferred and preferred in {code for code, _name in settings.LANGUAGES}:
        return preferred
    tenant = getattr(connection, "tenant", None)
    if (
        tenant is not None
        and getattr(tenant, "has_configuration", False)
        and tenant.configuration.languages
    ):
        return str(tenant.configuration.languages[0])
    return settings.LANGUAGE_CODE


def local_time(moment) -> str:
    """A moment as people read it in a message: day and minute in the portal's time zone."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def email_enqueue(
    *,
    to: str,
    template: str,
    context: dict | None = None,
    language: str | None = None,
    event: str = "",
    user_id: int | None = None,
    idempotency_key: str | None = None,
    headers: dict | None = None,
) -> Message:
    """Render an e-mail with the current tenant's branding and store it in the outbox; it is
    queued for delivery once the surrounding transaction commits. ``language`` is the
    recipient's (else the tenant's is used); text put into ``context`` must have been translated
    in that same language (compose it inside ``translation.override``). With an
    ``idempotency_key`` already in the outbox, nothing new is written and that message is
    returned."""
    language = recipient_language(language)
    rendered = render_email(template, context or {}, language=language)
    message = Message(
        recipient=to,
        template=template,
        language=language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        event=event,
        user_id=user_id,
        idempotency_key=idempotency_key,
        headers=headers or {},
    )
    messages_write([message])
    if message.pk is None:
        return Message.objects.get(idempotency_key=idempotency_key)
    return message


def email_to_user(
    user, *, template: str, context: Callable[[], dict], idempotency_key: str | None = None
) -> Message:
    """E-mail an account in its language (else the tenant's). ``context`` is made inside that
    language, so what it translates or formats (a date, an amount) is the recipient's."""
    language = recipient_language(user.language)
    with translation.override(language):
        return email_enqueue(
            to=user.email,
            template=template,
            context=context(),
            language=language,
            user_id=user.pk,
            idempotency_key=idempotency_key,
        )


def messages_write(messages: list[Message]) -> int:
    """Store ``messages`` (unsaved) in the outbox in a few statements, whatever their number;
    a message whose idempotency key is there already is left out. Those due now are queued
    after commit, in batches; those held back (quiet hours) wait for the flush job. Returns how
    many were written; the written ones get their ``pk``."""
    if not messages:
        return 0
    keyed = [m for m in messages if m.idempotency_key]
    plain = [m for m in messages if not m.idempotency_key]
    inserted: dict[str | None, int]
    if plain:
        Message.objects.bulk_create(plain)
    inserted = _insert_keyed(keyed) if keyed else {}
    fresh = plain + [m for m in keyed if m.idempotency_key in inserted]
    for message in keyed:
        message.pk = inserted.get(message.idempotency_key)
    now = timezone.now()
    due = [m.pk for m in fresh if m.pk and (m.next_attempt_at is None or m.next_attempt_at <= now)]
    if due:
        transaction.on_commit(lambda: _queue(due))
    return len(fresh)


_COLUMNS = [
    str(f.column)
    for f in Message._meta.concrete_fields
    if not f.primary_key and f.column not in ("created_at",)
]


def _insert_keyed(messages: list[Message]) -> dict[str | None, int]:
    """Keyed messages, however many: COPY into a temporary table (no per-value query text),
    then one INSERT … ON CONFLICT DO NOTHING RETURNING: a key in the outbox already, or written
    meanwhile by another job, stands, and only what this call wrote is counted and queued.
    Returns the keys written now with their message ids."""
    staging = "outbox_incoming"
    columns = ", ".join(_COLUMNS)
    now = timezone.now()
    fields = [
        (f.attname, isinstance(f, models.JSONField))
        for f in Message._meta.concrete_fields
        if f.column in _COLUMNS
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns}, created_at FROM outbox_message WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.cursor.copy(f"COPY {staging} ({columns}, created_at) FROM STDIN") as copy:
            for message in messages:
                values = message.__dict__
                copy.write_row(
                    [Jsonb(values[name]) if is_json else values[name] for name, is_json in fields]
                    + [now]
                )
        cursor.execute(
            f"INSERT INTO outbox_message ({columns}, created_at) "  # noqa: S608
            f"SELECT {columns}, created_at FROM {staging} "
            "ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
            "RETURNING idempotency_key, id"
        )
        return dict(cursor.fetchall())


def _queue(message_ids: list[int]) -> None:
    try:
        if len(message_ids) == 1:
            outbox_deliver.delay(message_id=message_ids[0])
            return
        for start in range(0, len(message_ids), QUEUE_BATCH):
            outbox_deliver_batch.delay(message_ids=message_ids[start : start + QUEUE_BATCH])
    except Exception:  # noqa: BLE001 - the broker being down must not fail the request
        logger.warning(
            "outbox: could not queue %s message(s); the flush job will", len(message_ids)
        )


# Transports: how a channel reaches people. E-mail is the core's; apps above add others.


@dataclass(frozen=True)
class Sent:
    """What a transport reports of a message it handed over."""

    provider_id: str = ""
    parts: int = 0


class DeliveryFailed(Exception):
    """This attempt failed and another may succeed (a server down, a timeout)."""


class Undeliverable(Exception):
    """No attempt can succeed (an address refused for good, a sender not allowed)."""


class NotYet(Exception):  # noqa: N818 - it is no error: the message waits
    """The channel takes no message now (an SMS in the tenant's quiet hours): try at ``until``,
    counting no attempt."""

    def __init__(self, until):
        super().__init__(f"not before {until:%Y-%m-%d %H:%M}")
        self.until = until


Transport = Callable[[Message], Sent]
_TRANSPORTS: dict[str, Transport] = {}


def register_transport(channel: str, transport: Transport) -> None:
    """An app above delivers ``channel`` (its AppConfig.ready()); ``transport(message)`` hands
    the message over and returns ``Sent``, or raises DeliveryFailed or Undeliverable."""
    _TRANSPORTS[str(channel)] = transport


def _from_address() -> str:
    tenant = getattr(connection, "tenant", None)
    address = settings.DEFAULT_FROM_EMAIL
    if tenant is not None and getattr(tenant, "has_configuration", False):
        name = tenant.configuration.branding.portal_name.replace('"', "")
        mailbox = address.rsplit("<", 1)[-1].rstrip(">") if "<" in address else address
        return f'"{name}" <{mailbox}>'
    return address


def message_identity(message: Message) -> str:
    """A stable, opaque identity of a message (the same on every attempt): the e-mail's
    Message-ID and the SMS provider's ``idx``, from which a receiver can tell a repeat."""
    source = message.idempotency_key or f"message:{message.pk}"
    return hashlib.sha256(
        f"{getattr(connection, 'schema_name', 'public')}:{source}".encode()
    ).hexdigest()[:40]


_batch = threading.local()


def batch_resource(name: str, make: Callable[[], Any]) -> Any:
    """What the messages of one delivery task share (an SMTP connection, the SMS account's
    client): made once per batch (``messages_deliver``), closed at its end; outside a batch
    made each time."""
    store = getattr(_batch, "store", None)
    if store is None:
        return make()
    if name not in store:
        store[name] = make()
    return store[name]


def batch_resource_drop(name: str) -> None:
    """Forget a shared resource that broke (the next message makes a new one)."""
    store = getattr(_batch, "store", None) or {}
    resource = store.pop(name, None)
    if resource is not None:
        with contextlib.suppress(Exception):
            resource.close()


@contextlib.contextmanager
def _batch_scope():
    _batch.store = {}
    try:
        yield
    finally:
        store, _batch.store = _batch.store, None
        for resource in store.values():
            with contextlib.suppress(Exception):
                resource.close()


def _mail_connection():
    mail = get_connection(fail_silently=False)
    mail.open()
    return mail


def _send_email(message: Message) -> Sent:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">").strip() or "localhost"
    try:
        mail = batch_resource("smtp", _mail_connection)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=_from_address(),
            to=[message.recipient],
            headers={**message.headers, "Message-ID": f"<{message_identity(message)}@{domain}>"},
            connection=mail,
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        email.send(fail_silently=False)
    except SMTPRecipientsRefused as exc:
        raise Undeliverable(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any other transport error may pass next time
        batch_resource_drop("smtp")  # the connection may be broken: the next one reconnects
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    return Sent()


register_transport(Message.Channel.EMAIL, _send_email)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1, 2, 4 … minutes, at most an
    hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def message_deliver(*, message_id: int) -> bool:
    """Send one message. Returns True when sent now, False when there was nothing to send (sent
    already, held back, taken by another worker, or just failed for good). Raises DeliveryFailed
    when the attempt failed and may be retried; the failed attempt is recorded first."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Message.Status.PENDING)
            .first()
        )
        now = timezone.now()
        if message is None or (message.next_attempt_at and message.next_attempt_at > now):
            return False
        transport = _TRANSPORTS.get(message.channel)
        try:
            if transport is None:
                raise Undeliverable(f"no transport for {message.channel}")
            message.attempts += 1
            sent = transport(message)
        except NotYet as exc:
            # Not an attempt: the channel is closed until then (an SMS in quiet hours).
            message.attempts -= 1
            message.next_attempt_at = exc.until
            message.save(update_fields=["attempts", "next_attempt_at"])
            return False
        except Undeliverable as exc:
            message.status = Message.Status.FAILED
            message.last_error = str(exc)[:500]
        except Exception as exc:  # noqa: BLE001 - any other failure is a failed attempt
            # (the type only: a provider's answer may quote the recipient)
            detail = str(exc) if isinstance(exc, DeliveryFailed) else type(exc).__name__
            message.last_error = detail[:500]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            else:
                message.next_attempt_at = now + backoff(message.attempts)
        else:
            message.status = Message.Status.SENT
            message.sent_at, message.last_error, message.next_attempt_at = now, "", None
            # A repeat the provider recognised keeps what the first sending recorded.
            message.provider_id = sent.provider_id[:64] or message.provider_id
            message.parts = sent.parts or message.parts
        message.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "last_error",
                "next_attempt_at",
                "provider_id",
                "parts",
            ]
        )
    if message.status == Message.Status.SENT:
        return True
    logger.warning(
        "outbox: message %s attempt %s failed%s",
        message.pk,
        message.attempts,
        " for good" if message.status == Message.Status.FAILED else "",
    )
    if message.status == Message.Status.PENDING:
        raise DeliveryFailed(message.last_error)
    return False


def _pace() -> int:
    """Messages this tenant may deliver per minute (its notification settings)."""
    tenant = getattr(connection, "tenant", None)
    config = (
        getattr(tenant, "configuration", None)
        if getattr(tenant, "has_configuration", False)
        else None
    )
    notifications = getattr(config, "notifications", None)
    return notifications.per_minute if notifications else settings.OUTBOX_PER_MINUTE


def messages_deliver(*, message_ids: Iterable[int]) -> dict[str, int]:
    """Deliver messages within the tenant's pace: what the minute's budget does not cover waits
    for the next minute (no attempt is counted). Returns counts of what happened."""
    ids = list(message_ids)
    granted, wait = throttling.budget_take(
        "outbox_pace",
        getattr(connection, "schema_name", "public"),
        want=len(ids),
        limit=_pace(),
        seconds=60,
    )
    counts = {"sent": 0, "not_sent": 0, "failed": 0, "deferred": len(ids) - granted}
    if granted < len(ids):
        Message.objects.filter(pk__in=ids[granted:], status=Message.Status.PENDING).update(
            next_attempt_at=timezone.now() + timedelta(seconds=wait)
        )
    with _batch_scope():
        for message_id in ids[:granted]:
            try:
                counts["sent" if message_deliver(message_id=message_id) else "not_sent"] += 1
            except DeliveryFailed:
                counts["failed"] += 1
    return counts


def outbox_pending_ids(*, older_than_seconds: int = 120, limit: int = 2000) -> list[int]:
    """Pending messages due now that no task is known to hold: those whose time has come
    (after a backoff, quiet hours or a full minute), and those never tried that stayed pending
    (the broker was down when they were written)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    return list(
        Message.objects.filter(status=Message.Status.PENDING)
        .filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def message_resend(*, message_id: int) -> bool:
    """A dead letter is given another round of attempts (staff, after fixing the cause)."""
    updated = Message.objects.filter(pk=message_id, status=Message.Status.FAILED).update(
        status=Message.Status.PENDING, attempts=0, next_attempt_at=None, last_error=""
    )
    if updated:
        transaction.on_commit(lambda: _queue([message_id]))
    return bool(updated)
