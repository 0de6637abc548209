"""Notices by the channels each customer chose: defaults, choices, mandatory security notices,
one message per occurrence, quiet hours, the daily digest, the unsubscribe link."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.db import connection
from django.utils import timezone

from core.errors import ApplicationError
from core.outbox.models import Message
from core.outbox.services import message_deliver
from identity.services import security_notice
from notifications import selectors, services, sms
from notifications.models import DigestItem, Preference, PreferenceChange
from notifications.tests.conftest import outbox

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
CONTEXT = {
    "number": "FV/1/2026",
    "amount": "100,00 zł",
    "outstanding": "100,00 zł",
    "due": "10.01.2026",
}


def test_defaults_are_the_catalogues_then_the_tenants(residents, set_config):
    jan, _ewa = residents
    services.notify(
        user=jan, event="outage", key="1", context={"title": "Woda", "body": "x", "kind": "Awaria"}
    )
    assert [m.channel for m in outbox(user_id=jan.pk)] == ["email", "sms"]  # the catalogue's
    set_config(notifications__defaults=[{"event": "outage", "email": False, "sms": True}])
    services.notify(
        user=jan, event="outage", key="2", context={"title": "Woda", "body": "x", "kind": "Awaria"}
    )
    assert [m.channel for m in outbox(user_id=jan.pk, idempotency_key__contains=":2:")] == ["sms"]


def test_each_customer_gets_the_channels_they_chose(residents):
    jan, ewa = residents
    services.preferences_set(user=jan, choices={"invoice_new": {"email": False, "sms": True}})
    services.notify_many(users=[jan, ewa], event="invoice_new", key="7", context=CONTEXT)
    assert [(m.user_id, m.channel, m.recipient) for m in outbox(event="invoice_new")] == [
        (jan.pk, "sms", "48600100200"),
        (ewa.pk, "email", "ewa@example.com"),
    ]
    assert "FV/1/2026" in outbox(channel="sms")[0].body_text
    # Ewa's message is in her language, Jan's SMS in his.
    assert outbox(user_id=ewa.pk)[0].subject.startswith("A new invoice")
    assert outbox(user_id=jan.pk)[0].language == "pl"


def test_a_choice_switched_off_sends_nothing(residents):
    jan, _ewa = residents
    services.preferences_set(user=jan, choices={"invoice_new": {"email": False, "sms": False}})
    assert services.notify(user=jan, event="invoice_new", key="7", context=CONTEXT) == 0
    assert outbox(user_id=jan.pk) == []


def test_an_occurrence_is_told_once_however_often_it_is_told(residents):
    jan, ewa = residents
    for _ in range(3):
        services.notify_many(users=[jan, ewa], event="invoice_new", key="7", context=CONTEXT)
    assert len(outbox(event="invoice_new")) == 2
    services.notify(user=jan, event="invoice_new", key="8", context=CONTEXT)
    assert len(outbox(event="invoice_new")) == 3


def test_an_event_the_tenant_does_not_offer_is_not_sent(residents, set_config):
    jan, _ewa = residents
    set_config(modules=["tickets"])
    assert services.notify(user=jan, event="invoice_new", key="7", context=CONTEXT) == 0
    with pytest.raises(ApplicationError) as refused:
        services.preferences_set(user=jan, choices={"invoice_new": {"email": True}})
    assert (refused.value.status, refused.value.code) == (400, "unknown_event")


def test_security_notices_cannot_be_switched_off(residents):
    jan, _ewa = residents
    with pytest.raises(ApplicationError) as refused:
        services.preferences_set(user=jan, choices={"security_password_changed": {"email": False}})
    assert (refused.value.status, refused.value.code) == (400, "mandatory_notice")
    assert not Preference.objects.filter(user=jan).exists()
    # Even a row written around the service does not silence them.
    Preference.objects.create(user=jan, event="security_password_changed", email=False, sms=False)
    security_notice(user=jan, event="password_changed")
    sent = outbox(user_id=jan.pk, event="security_password_changed")
    assert [m.channel for m in sent] == ["email"]
    assert "List-Unsubscribe" not in sent[0].headers
    assert "/notifications/unsubscribe/" not in sent[0].body_text


def test_a_security_notice_goes_by_sms_too_where_chosen(residents):
    jan, _ewa = residents
    services.preferences_set(
        user=jan, choices={"security_account_locked": {"email": True, "sms": True}}
    )
    security_notice(user=jan, event="locked")
    assert sorted(m.channel for m in outbox(event="security_account_locked")) == ["email", "sms"]


def test_sms_refused_without_a_mobile_number_or_where_not_offered(residents, set_config):
    jan, ewa = residents
    with pytest.raises(ApplicationError) as refused:
        services.preferences_set(user=ewa, choices={"invoice_new": {"sms": True}})
    assert (refused.value.status, refused.value.code) == (400, "phone_required")
    set_config(notifications__channels=["email"])
    with pytest.raises(ApplicationError) as refused:
        services.preferences_set(user=jan, choices={"invoice_new": {"sms": True}})
    assert (refused.value.status, refused.value.code) == (400, "channel_not_offered")
    assert PreferenceChange.objects.count() == 0


def test_every_change_is_recorded_once_with_its_channel(residents):
    jan, _ewa = residents
    assert services.preferences_set(user=jan, choices={"invoice_new": {"sms": True}}) == 1
    assert services.preferences_set(user=jan, choices={"invoice_new": {"sms": True}}) == 0
    assert services.preferences_set(user=jan, choices={}, digest=True) == 1
    history = list(PreferenceChange.objects.filter(user=jan).order_by("pk"))
    assert [(c.event, c.email, c.sms, c.digest, c.via) for c in history] == [
        ("invoice_new", True, True, None, "portal"),
        ("", None, None, True, "portal"),
    ]


@pytest.mark.parametrize(
    ("local", "held_until"),
    [
        ("2026-03-10 20:59", None),
        ("2026-03-10 21:00", "2026-03-11 08:00"),
        ("2026-03-11 07:59", "2026-03-11 08:00"),
        ("2026-03-11 08:00", None),
    ],
)
def test_quiet_hours_hold_sms_until_they_end(residents, set_config, local, held_until):
    jan, _ewa = residents
    set_config(notifications__quiet_from_hour=21, notifications__quiet_to_hour=8)
    moment = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=WARSAW)
    expected = (
        datetime.strptime(held_until, "%Y-%m-%d %H:%M").replace(tzinfo=WARSAW)
        if held_until
        else None
    )
    assert services.quiet_until(moment, from_hour=21, to_hour=8) == expected


def test_an_sms_written_in_quiet_hours_is_not_sent_before_they_end(
    residents, set_config, monkeypatch
):
    jan, _ewa = residents
    set_config(notifications__quiet_from_hour=21, notifications__quiet_to_hour=8)
    night = datetime(2026, 3, 10, 23, 30, tzinfo=WARSAW)
    monkeypatch.setattr(timezone, "now", lambda: night)
    services.notify(
        user=jan, event="outage", key="1", context={"title": "Woda", "body": "x", "kind": "Awaria"}
    )
    text = outbox(channel="sms")[0]
    email = outbox(channel="email", event="outage")[0]
    assert text.next_attempt_at == datetime(2026, 3, 11, 8, 0, tzinfo=WARSAW)
    assert email.next_attempt_at is None  # e-mail is not held
    assert message_deliver(message_id=text.pk) is False
    text.refresh_from_db()
    assert (text.status, text.attempts) == (Message.Status.PENDING, 0)


def test_optional_email_has_a_plain_part_an_unsubscribe_link_and_no_pixel(residents):
    jan, _ewa = residents
    services.notify(user=jan, event="invoice_new", key="7", context=CONTEXT)
    message = outbox(channel="email", event="invoice_new")[0]
    link = message.headers["List-Unsubscribe"].strip("<>")
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body_text
    assert "Dzień dobry" in message.body_text
    assert "FV/1/2026" in message.body_text
    assert "<img" not in message.body_html
    assert "%%" not in message.body_text + message.body_html


def test_the_unsubscribe_link_switches_that_event_off_once(residents, client):
    jan, _ewa = residents
    token = services.unsubscribe_token(user_id=jan.pk, event="invoice_new")
    url = f"/notifications/unsubscribe/{token}/"
    assert client.get(url, HTTP_HOST="alpha.localhost").status_code == 200
    assert not Preference.objects.filter(
        user=jan
    ).exists()  # a GET (a mail scanner) changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"}, HTTP_HOST="alpha.localhost")
    assert response.status_code == 200
    choice = Preference.objects.get(user=jan, event="invoice_new")
    assert (choice.email, choice.sms) == (False, False)
    assert PreferenceChange.objects.get(user=jan).via == "unsubscribe"
    client.post(url, HTTP_HOST="alpha.localhost")
    assert PreferenceChange.objects.filter(user=jan).count() == 1


def test_a_forged_or_another_tenants_unsubscribe_link_is_refused(residents, client, tenants):
    jan, _ewa = residents
    forged = signing.dumps({"u": jan.pk, "e": "invoice_new"}, salt="another")
    assert (
        client.post(
            f"/notifications/unsubscribe/{forged}/", HTTP_HOST="alpha.localhost"
        ).status_code
        == 404
    )
    mandatory = services.unsubscribe_token(user_id=jan.pk, event="security_password_changed")
    assert (
        client.post(
            f"/notifications/unsubscribe/{mandatory}/", HTTP_HOST="alpha.localhost"
        ).status_code
        == 404
    )
    # A's link on B's host: B has a user with the same id, who is not switched off.
    from identity.models import User

    token = services.unsubscribe_token(user_id=jan.pk, event="invoice_new")
    connection.set_tenant(tenants.b)
    if not User.objects.filter(pk=jan.pk).exists():
        User.objects.create(pk=jan.pk, username="same-id-in-b", email="b@example.com")
    assert (
        client.post(f"/notifications/unsubscribe/{token}/", HTTP_HOST="beta.localhost").status_code
        == 404
    )
    connection.set_tenant(tenants.b)
    assert not PreferenceChange.objects.exists()
    assert not Preference.objects.exists()
    connection.set_tenant(tenants.a)
    assert not PreferenceChange.objects.exists()


def test_the_digest_gathers_non_urgent_notices_once_a_day(residents, set_config, monkeypatch):
    jan, _ewa = residents
    set_config(notifications__digest_hour=17)
    services.preferences_set(
        user=jan, choices={"invoice_new": {"email": True, "sms": False}}, digest=True
    )
    services.notify(user=jan, event="invoice_new", key="7", context=CONTEXT)
    services.notify(
        user=jan, event="invoice_new", key="8", context={**CONTEXT, "number": "FV/2/2026"}
    )
    services.notify(user=jan, event="balance_overdue", key="7", context=CONTEXT)  # urgent: now
    assert [m.event for m in outbox(user_id=jan.pk)] == ["balance_overdue"]
    assert DigestItem.objects.filter(user=jan, sent_in__isnull=True).count() == 2
    morning = datetime(2026, 3, 10, 16, 59, tzinfo=WARSAW)
    assert services.digests_send(now=morning) == 0
    evening = datetime(2026, 3, 10, 17, 0, tzinfo=WARSAW)
    assert services.digests_send(now=evening) == 1
    assert services.digests_send(now=evening) == 0
    digest = outbox(event="digest")[0]
    assert "FV/1/2026" in digest.body_text
    assert "FV/2/2026" in digest.body_text
    assert not DigestItem.objects.filter(sent_in__isnull=True).exists()


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # the extension table counts two
        ("€" * 81, 2),
        ("ą" * 70, 1),  # UCS-2
        ("ą" * 71, 2),
        ("ą" * 134, 2),
        ("ą" * 135, 3),
    ],
)
def test_sms_parts_are_counted_as_the_provider_counts_them(text, parts):
    assert sms.parts(text) == parts


def test_a_long_sms_is_shortened_to_the_allowed_parts():
    text, parts = sms.fit("słowo " * 200, max_parts=2)
    assert parts == 2
    assert text.endswith("…")
    assert 125 <= len(text) <= 134  # as much as two UCS-2 parts hold
    assert sms.fit("krótki", max_parts=1) == ("krótki", 1)


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("+48 600 100 200", "48600100200"),
        ("600-100-200", "48600100200"),
        ("0048600100200", "48600100200"),
        ("+380 67 123 4567", "380671234567"),
        ("22 123 45 67", ""),  # a landline takes no SMS
        ("12345", ""),
        ("", ""),
        ("abc", ""),
    ],
)
def test_phone_numbers_are_written_as_the_provider_takes_them(phone, number):
    assert sms.number_of(phone) == number


def test_keyed_messages_go_by_copy_and_only_new_ones_count(residents):
    """Keyed messages are written by COPY through a temporary table, and only the keys this
    call wrote are counted and queued: a key written before (by another job) stands."""
    from core.outbox import services as outbox

    jan, ewa = residents
    outbox.Message.objects.create(
        recipient="ewa@example.com",
        template="invoice_new",
        language="pl",
        subject="written by another job",
        body_text="-",
        event="invoice_new",
        user_id=ewa.pk,
        idempotency_key=f"invoice_new:9:{ewa.pk}:email",
    )
    assert (
        services.notify_many(users=[jan, ewa], event="invoice_new", key="9", context=CONTEXT) == 1
    )
    outbox.Message.objects.filter(subject="written by another job").delete()
    assert (
        services.notify_many(users=[jan, ewa], event="invoice_new", key="9", context=CONTEXT) == 1
    )
    assert (
        services.notify_many(users=[jan, ewa], event="invoice_new", key="9", context=CONTEXT) == 0
    )
    written = list(outbox.Message.objects.filter(event="invoice_new").order_by("user_id"))
    assert [(m.user_id, m.channel) for m in written] == [(jan.pk, "email"), (ewa.pk, "email")]
    assert written[0].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert written[0].idempotency_key == f"invoice_new:9:{jan.pk}:email"


def test_the_page_without_sms_boxes_leaves_sms_choices_as_they_were(residents, client):
    """A customer without a mobile number sees the SMS boxes disabled (not sent): saving the
    page changes e-mail only, and untouched events keep following the tenant's defaults."""
    _jan, ewa = residents
    client.force_login(ewa)
    events = [c.event.code for c in selectors.choices_for(user=ewa) if c.email]
    posted = {f"{code}:email": "on" for code in events if code != "invoice_new"}
    response = client.post("/account/notifications/", posted, HTTP_HOST="alpha.localhost")
    assert response.status_code == 302
    assert [(p.event, p.email, p.sms) for p in Preference.objects.filter(user=ewa)] == [
        ("invoice_new", False, False)
    ]
    outage = next(c for c in selectors.choices_for(user=ewa) if c.event.code == "outage")
    assert (outage.email, outage.sms, outage.chosen) == (True, True, False)


def test_a_new_version_of_a_document_to_accept_is_told_once_to_its_readers(residents):
    from identity.models import Document
    from identity.services import document_publish, user_create

    jan, ewa = residents
    staff = user_create(login="obsluga", password="x-Password-12", role="customer_service")
    # Preset A asks its customers to accept the e-services policy, not the regulations.
    document_publish(kind="regulations", title="Regulamin", body="Treść")
    assert outbox(event="document_to_accept") == []
    document = document_publish(kind="e_services_policy", title="Regulamin e-BOK", body="Treść")
    told = outbox(event="document_to_accept", channel="email")
    assert sorted(m.user_id for m in told) == sorted([jan.pk, ewa.pk])  # not the staff member
    assert staff.pk not in [m.user_id for m in told]
    assert told[0].subject.startswith("Nowa wersja do akceptacji: Regulamin e-BOK")
    assert f"/documents/{document.pk}/" in told[0].body_text
    assert services.document_published(Document.objects.get(pk=document.pk)) == 0


def test_a_notice_after_the_days_digest_waits_for_the_next_one(residents, set_config):
    jan, _ewa = residents
    services.preferences_set(user=jan, choices={}, digest=True)
    services.notify(user=jan, event="invoice_new", key="1", context=CONTEXT)
    evening = datetime(2026, 3, 10, 17, 5, tzinfo=WARSAW)
    assert services.digests_send(now=evening) == 1
    services.notify(user=jan, event="invoice_new", key="2", context={**CONTEXT, "number": "FV/2"})
    later = datetime(2026, 3, 10, 19, 5, tzinfo=WARSAW)
    assert services.digests_send(now=later) == 0
    assert DigestItem.objects.filter(sent_in__isnull=True).count() == 1  # not lost: waiting
    assert services.digests_send(now=datetime(2026, 3, 11, 17, 5, tzinfo=WARSAW)) == 1
    assert "FV/2" in outbox(event="digest")[-1].body_text


def test_sms_text_is_plain_text_not_html(residents):
    jan, _ewa = residents
    services.preferences_set(user=jan, choices={"outage": {"email": False, "sms": True}})
    title = 'Woda & ciepło "Pod Lipami" <pion B>'
    services.notify(user=jan, event="outage", key="1", context={"title": title, "kind": "Awaria"})
    text = outbox(channel="sms")[0].body_text
    assert 'Woda & cieplo "Pod Lipami" <pion B>' in text  # plain letters, nothing escaped
    assert "&amp;" not in text


def test_the_sms_provider_address_must_be_the_providers(residents):
    for address in ("http://10.0.0.5:6379", "https://evil.example", "http://api.smsapi.pl"):
        with pytest.raises(ApplicationError) as refused:
            services.sms_account_save(actor=None, token="t", base_url=address, enabled=False)
        assert (refused.value.status, refused.value.code) == (400, "sms_account_invalid")
    account = services.sms_account_save(
        actor=None, token="t", base_url="https://api.smsapi.pl", enabled=False
    )
    assert account.base_url == "https://api.smsapi.pl"
