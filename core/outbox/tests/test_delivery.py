"""Outbox delivery through a real SMTP conversation (aiosmtpd), with the tenant's branding."""

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from core.outbox.models import Message
from core.outbox.services import DeliveryFailed, email_enqueue, message_deliver

pytestmark = pytest.mark.django_db


class _Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            (
                envelope.mail_from,
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=default_policy),
            )
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()


def test_message_written_in_transaction_is_delivered_over_smtp_with_branding(
    tenants, in_tenant, smtp_server, django_capture_on_commit_callbacks
):
    in_tenant(tenants.a)
    branding = tenants.a.configuration.branding
    with django_capture_on_commit_callbacks(execute=True):
        message = email_enqueue(
            to="resident@example.com",
            template="notice",
            context={
                "title": "Nowe saldo",
                "text": "Saldo zostało zaktualizowane.",
                "greeting_name": "L0000001",
            },
            language="pl",
        )
    assert len(smtp_server.messages) == 1
    mail_from, rcpt_tos, received = smtp_server.messages[0]
    assert rcpt_tos == ["resident@example.com"]
    assert branding.portal_name in received["From"]
    assert received["Subject"] == f"Nowe saldo – {branding.short_name}"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Dzień dobry L0000001," in text
    assert branding.portal_name in text
    assert branding.primary_colour in html
    assert branding.portal_name in html
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 1)


def test_message_is_rendered_in_the_recipients_language(tenants, in_tenant):
    in_tenant(tenants.b)
    message = email_enqueue(
        to="x@example.com", template="notice", context={"title": "T", "text": "B"}, language="en"
    )
    assert message.body_text.startswith("Hello,")
    uk = email_enqueue(
        to="x@example.com", template="notice", context={"title": "T", "text": "B"}, language="uk"
    )
    assert uk.body_text.startswith("Добрий день,")


def test_failed_delivery_waits_longer_each_time_then_becomes_a_dead_letter(
    tenants, in_tenant, settings
):
    in_tenant(tenants.a)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = email_enqueue(
        to="x@example.com", template="notice", context={"title": "T", "text": "B"}
    )
    waits = []
    for attempt in (1, 2):
        before = timezone.now()
        with pytest.raises(DeliveryFailed):
            message_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Message.Status.PENDING, attempt)
        waits.append(round((message.next_attempt_at - before).total_seconds()))
        # Before its time the message is not tried again; once the time has come, it is.
        assert message_deliver(message_id=message.pk) is False
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert waits == [30, 60]
    assert message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 3)
    assert "ConnectionRefusedError" in message.last_error


def test_sent_message_is_never_sent_twice(tenants, in_tenant, smtp_server):
    in_tenant(tenants.a)
    message = email_enqueue(
        to="x@example.com", template="notice", context={"title": "T", "text": "B"}
    )
    assert message_deliver(message_id=message.pk) is True
    assert message_deliver(message_id=message.pk) is False
    assert len(smtp_server.messages) == 1


def test_text_part_and_subject_are_not_html_escaped_but_the_html_part_is(tenants, in_tenant):
    in_tenant(tenants.a)
    message = email_enqueue(
        to="x@example.com",
        template="notice",
        context={"title": "A & B <c>", "text": 'Hasło: Ab1&<"x'},
    )
    assert message.subject.startswith("A & B <c>")
    assert 'Hasło: Ab1&<"x' in message.body_text
    assert "Ab1&amp;&lt;&quot;x" in message.body_html


def test_a_batch_shares_one_smtp_connection(tenants, in_tenant, smtp_server, monkeypatch):
    """The messages of one delivery task go over one SMTP connection (the peer's port is the
    same for all of them); a batch after it opens its own."""
    from core.outbox.services import messages_deliver

    peers = []
    original = smtp_server.handle_DATA

    async def handle_data(server, session, envelope):
        peers.append(session.peer)
        return await original(server, session, envelope)

    monkeypatch.setattr(smtp_server, "handle_DATA", handle_data)
    in_tenant(tenants.a)
    ids = [
        email_enqueue(to=f"r{n}@example.com", template="notice", context={"title": "T"}).pk
        for n in range(4)
    ]
    assert messages_deliver(message_ids=ids[:3])["sent"] == 3
    assert messages_deliver(message_ids=ids[3:])["sent"] == 1
    assert len(set(peers[:3])) == 1
    assert peers[3] != peers[0]
