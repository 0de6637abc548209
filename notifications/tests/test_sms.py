"""SMS through the SMSAPI simulator over real HTTP: sent with the tenant's token, sender and
callback address; a repeat after a lost commit is recognised by its idx; refusals end as dead
letters or wait for another attempt; delivery reports are recorded for the right tenant only."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection

from core.errors import ApplicationError
from core.outbox.models import Message
from core.outbox.services import DeliveryFailed, message_deliver, messages_deliver
from notifications import services
from notifications.models import SmsAccount
from notifications.tests.conftest import TOKEN, outbox

pytestmark = pytest.mark.django_db
OUTAGE = {"title": "Brak wody", "body": "Awaria sieci.", "kind": "Awaria"}


def _sms(jan) -> Message:
    services.preferences_set(user=jan, choices={"outage": {"email": False, "sms": True}})
    services.notify(user=jan, event="outage", key="1", context=OUTAGE)
    return outbox(channel="sms")[0]


def test_an_sms_reaches_the_provider_with_the_tenants_account(residents, sms_simulator, set_config):
    jan, _ewa = residents
    set_config(notifications__sms_sender="SM Alfa")
    message = _sms(jan)
    assert message_deliver(message_id=message.pk) is True
    message.refresh_from_db()
    sent = sms_simulator.sent_to("48600100200")[-1]
    assert (message.status, message.provider_id, message.parts) == ("sent", sent.id, 1)
    assert sent.sender == "SM Alfa"
    assert "Brak wody" in sent.text
    assert sent.text == message.body_text
    callback = urlsplit(sent.notify_url)
    account = SmsAccount.objects.get()
    assert callback.path == f"/api/v1/notifications/sms-report/{account.callback_secret}"
    assert callback.hostname == "alpha.localhost"


def test_the_token_is_sealed_at_rest(residents):
    account = SmsAccount.objects.get()
    assert TOKEN not in account.sealed_token
    assert services.sms.token_of(account) == TOKEN


def test_a_message_sent_again_after_a_lost_commit_is_not_sent_twice(residents, sms_simulator):
    """The worker died after the provider accepted the SMS and before its transaction
    committed: the message is pending again, and the provider recognises its idx."""
    jan, _ewa = residents
    message = _sms(jan)
    before = len(sms_simulator.sent_to("48600100200"))
    assert message_deliver(message_id=message.pk) is True
    Message.objects.filter(pk=message.pk).update(status="pending", provider_id="", attempts=0)
    assert message_deliver(message_id=message.pk) is True
    assert len(sms_simulator.sent_to("48600100200")) == before + 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_sender_the_provider_does_not_know_makes_a_dead_letter_at_once(
    residents, sms_simulator, set_config
):
    jan, _ewa = residents
    set_config(notifications__sms_sender="Nieznany")
    message = _sms(jan)
    assert message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("SMSAPI error 14")


def test_a_provider_error_is_retried_later(residents, sms_simulator):
    jan, _ewa = residents
    message = _sms(jan)
    sms_simulator.fail_next = 1
    with pytest.raises(DeliveryFailed):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at is not None
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
    assert message_deliver(message_id=message.pk) is True


def test_a_wrong_token_is_refused_when_the_account_is_enabled(residents, sms_simulator):
    with pytest.raises(ApplicationError) as refused:
        services.sms_account_save(
            actor=None, token="not-a-token", base_url=sms_simulator.base_url, enabled=True
        )
    assert (refused.value.status, refused.value.code) == (400, "sms_provider_refused")
    assert services.sms.token_of(SmsAccount.objects.get()) == TOKEN


def _report(sms_simulator, number: str) -> tuple[str, dict]:
    """The simulator's report for the last SMS to ``number``: the address it calls and its
    parameters, as it sends them."""
    url = urlsplit(sms_simulator.report_url([sms_simulator.sent_to(number)[-1]]))
    return url.path, dict(parse_qsl(url.query))


def test_delivery_reports_are_recorded(residents, sms_simulator, client):
    jan, _ewa = residents
    message = _sms(jan)
    message_deliver(message_id=message.pk)
    path, params = _report(sms_simulator, "48600100200")
    response = client.get(path, params, HTTP_HOST="alpha.localhost")
    assert (response.status_code, response.content) == (200, b"OK")
    message.refresh_from_db()
    assert message.delivery_status == "DELIVERED"
    assert message.delivered_at is not None


def test_a_report_with_a_wrong_secret_or_for_another_tenant_changes_nothing(
    residents, sms_simulator, client, tenants
):
    jan, _ewa = residents
    message = _sms(jan)
    message_deliver(message_id=message.pk)
    path, params = _report(sms_simulator, "48600100200")
    wrong = path.rsplit("/", 1)[0] + "/not-the-secret"
    assert client.get(wrong, params, HTTP_HOST="alpha.localhost").status_code == 404
    # A's secret and message id on B's host: B has an SMS account of its own and an SMS with
    # the same provider id; neither A's nor B's message changes.
    connection.set_tenant(tenants.b)
    SmsAccount.objects.create(sealed_token="-", callback_secret="b-secret", enabled=False)
    b_message = Message.objects.create(
        channel="sms",
        recipient="48600999999",
        template="sms/outage",
        language="pl",
        subject="-",
        body_text="-",
        provider_id=message.provider_id,
    )
    assert client.get(path, params, HTTP_HOST="beta.localhost").status_code == 404
    connection.set_tenant(tenants.b)
    b_message.refresh_from_db()
    assert b_message.delivery_status == ""
    connection.set_tenant(tenants.a)
    message.refresh_from_db()
    assert message.delivery_status == ""


def test_the_tenants_pace_holds_the_rest_for_the_next_minute(residents, set_config):
    jan, ewa = residents
    set_config(notifications__per_minute=10)
    Message.objects.all().delete()
    services.notify_many(users=[jan, ewa], event="invoice_new", key="1", context={"number": "1"})
    for n in range(2, 8):
        services.notify_many(
            users=[jan, ewa], event="invoice_new", key=str(n), context={"number": "1"}
        )
    ids = [m.pk for m in outbox(event="invoice_new")]
    assert len(ids) == 14  # two e-mails for each of seven invoices (Jan chose no SMS here)
    counts = messages_deliver(message_ids=ids)
    assert (counts["sent"] + counts["failed"] + counts["not_sent"], counts["deferred"]) == (10, 4)
    held = Message.objects.filter(pk__in=ids[10:])
    assert all(m.next_attempt_at is not None and m.attempts == 0 for m in held)


def test_an_sms_due_in_quiet_hours_waits_without_an_attempt(
    residents, sms_simulator, set_config, monkeypatch
):
    """Written by day, still queued at night (a long queue, a retry, a resend): it waits."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    jan, _ewa = residents
    message = _sms(jan)
    set_config(notifications__quiet_from_hour=21, notifications__quiet_to_hour=8)
    night = datetime(2026, 3, 10, 22, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    monkeypatch.setattr(timezone, "now", lambda: night)
    before = len(sms_simulator.sent_to("48600100200"))
    assert message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.next_attempt_at == datetime(2026, 3, 11, 8, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    assert len(sms_simulator.sent_to("48600100200")) == before


def test_an_unexpected_failure_is_a_counted_attempt(residents, monkeypatch):
    from core.outbox import services as outbox

    jan, _ewa = residents
    message = _sms(jan)

    def broken(_message):
        raise KeyError("list")

    monkeypatch.setitem(outbox._TRANSPORTS, "sms", broken)
    with pytest.raises(DeliveryFailed):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "KeyError")
    assert message.next_attempt_at is not None


@pytest.mark.parametrize(
    "query",
    [
        {"MsgId": "1", "status": "404", "donedate": "99999999999999999999"},
        {"MsgId": "1", "status": "404", "donedate": "²"},
        {"MsgId": ",".join(["x"] * 1000), "status": "404"},
        {"MsgId": "1", "status": "%00"},
    ],
)
def test_hostile_reports_never_fail_the_server(residents, client, query):
    path = f"/api/v1/notifications/sms-report/{SmsAccount.objects.get().callback_secret}"
    assert client.get(path, query, HTTP_HOST="alpha.localhost").status_code == 200
    assert (
        client.get(
            "/api/v1/notifications/sms-report/é", query, HTTP_HOST="alpha.localhost"
        ).status_code
        == 404
    )
