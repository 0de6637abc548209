"""``GET|PUT /api/v1/me/notifications``: the account's own choices only, with one exact status
per refusal, and nothing written when refused."""

from __future__ import annotations

import pytest

from identity.services import user_create
from identity.tests.conftest import login_verified_staff
from notifications.models import Preference, PreferenceChange
from notifications.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/notifications"
HOST = "alpha.localhost"


def _token(client, login: str) -> str:
    response = client.post(
        "/api/v1/auth/login",
        {"login": login, "password": PASSWORD},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def jan_api(residents, client):
    jan, _ewa = residents
    token = _token(client, "L0000001")
    return jan, {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": HOST}


def test_the_choices_with_their_defaults(jan_api, client):
    _jan, auth = jan_api
    body = client.get(URL, **auth).json()
    assert body["channels"] == ["email", "sms"]
    assert (body["has_email"], body["has_mobile_phone"], body["digest"]) == (True, True, False)
    events = {e["event"]: e for e in body["events"]}
    assert events["outage"] == {
        "event": "outage",
        "title": "Awaria lub prace planowane w moim budynku",
        "group": "Ogłoszenia, awarie i remonty",
        "mandatory": False,
        "email": True,
        "sms": True,
        "chosen": False,
    }
    assert events["security_password_changed"]["mandatory"] is True
    assert "invoice_new" in events


def test_a_put_changes_the_named_events_and_is_recorded(jan_api, client):
    jan, auth = jan_api
    response = client.put(
        URL,
        {"events": {"invoice_new": {"email": False, "sms": True}}, "digest": True},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    events = {e["event"]: e for e in response.json()["events"]}
    assert (events["invoice_new"]["email"], events["invoice_new"]["sms"]) == (False, True)
    assert events["invoice_new"]["chosen"] is True
    assert events["outage"]["chosen"] is False
    assert response.json()["digest"] is True
    assert [c.via for c in PreferenceChange.objects.filter(user=jan)] == ["api", "api"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"events": {"security_password_changed": {"email": False}}}, 400, "mandatory_notice"),
        ({"events": {"no_such_event": {"email": True}}}, 400, "unknown_event"),
        ({"events": {"invoice_new": {"email": "perhaps"}}}, 400, "invalid"),
        ({"events": ["invoice_new"]}, 400, "invalid"),
    ],
)
def test_a_bad_choice_is_refused_and_changes_nothing(jan_api, client, body, status, code):
    jan, auth = jan_api
    response = client.put(URL, body, content_type="application/json", **auth)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Preference.objects.filter(user=jan).exists()
    assert not PreferenceChange.objects.exists()


def test_staff_have_no_customer_choices(residents, client):
    staff = user_create(login="obsluga", password=PASSWORD, role="customer_service", email="o@e.x")
    login_verified_staff(client, HOST, staff, PASSWORD)
    assert client.get(URL, HTTP_HOST=HOST).status_code == 403
    response = client.put(URL, {"digest": True}, content_type="application/json", HTTP_HOST=HOST)
    assert response.status_code == 403
    assert not PreferenceChange.objects.exists()


def test_a_token_of_tenant_a_opens_nothing_on_tenant_b(jan_api, client):
    _jan, auth = jan_api
    response = client.get(URL, **{**auth, "HTTP_HOST": "beta.localhost"})
    assert response.status_code == 401


def test_the_office_sees_notices_but_never_identitys_own_mail(residents, client):
    """Staff reading what was sent see the catalogue's notices, never the mail that carries
    set-password links or one-time passwords (it would open the account to them)."""
    from core.outbox.models import Message
    from core.outbox.services import email_enqueue
    from notifications.services import notify

    jan, _ewa = residents
    notify(user=jan, event="invoice_new", key="1", context={"number": "FV/1"})
    reset = email_enqueue(
        to="jan@example.com",
        template="notice",
        context={"title": "Reset", "text": "/password/set/SECRET/"},
    )
    staff = user_create(login="obsluga", password=PASSWORD, role="customer_service", email="o@e.x")
    login_verified_staff(client, HOST, staff, PASSWORD)
    listing = client.get("/office/notifications/?status=pending", HTTP_HOST=HOST).content.decode()
    notice = Message.objects.get(event="invoice_new", channel="email")
    assert f"/office/notifications/{notice.pk}/" in listing
    assert f"/office/notifications/{reset.pk}/" not in listing
    assert client.get(f"/office/notifications/{reset.pk}/", HTTP_HOST=HOST).status_code == 404
    assert (
        client.post(f"/office/notifications/{reset.pk}/resend/", HTTP_HOST=HOST).status_code == 404
    )
    assert client.get(f"/office/notifications/{notice.pk}/", HTTP_HOST=HOST).status_code == 200
