"""Contact data that could hand an account over changes only with the current password
(SECURITY.md Z3, audit finding 10), and the question cannot be used to guess the password."""

import pytest

from identity.models import AuthEvent

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def _token(client, login="L0000001", password="RyBa18$05") -> dict:
    response = client.post(
        "/api/v1/auth/login",
        {"login": login, "password": password},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}", "HTTP_HOST": HOST}


def _patch(client, auth, **data):
    return client.patch("/api/v1/me", data, content_type="application/json", **auth)


def test_a_new_phone_needs_the_current_password(client, customer):
    auth = _token(client)
    for data in ({}, {"current_password": ""}, {"current_password": "RyBa18$06"}):
        refused = _patch(client, auth, phone="+48 600 100 200", **data)
        assert refused.status_code == 400
        assert refused.json()["code"] == "wrong_current_password"
        assert list(refused.json()["fields"]) == ["current_password"]
    customer.refresh_from_db()
    assert customer.phone == ""
    assert AuthEvent.objects.filter(kind="reauthentication_failed", user=customer).count() == 3

    done = _patch(client, auth, phone="+48 600 100 200", current_password="RyBa18$05")
    assert done.status_code == 200
    assert done.json()["phone"] == "+48 600 100 200"


def test_language_and_an_unchanged_phone_need_no_password(client, customer):
    auth = _token(client)
    assert _patch(client, auth, language="uk").json()["language"] == "uk"
    assert _patch(client, auth, phone="").status_code == 200  # the same as now: no change


def test_guessing_the_password_through_the_question_is_throttled(client, customer):
    auth = _token(client)
    statuses = [
        _patch(client, auth, phone="+48 600 100 200", current_password=f"zgaduj{i}").status_code
        for i in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    # Even the right password waits for the window now: the limit cannot be bypassed.
    assert (
        _patch(client, auth, phone="+48 600 100 200", current_password="RyBa18$05").status_code
        == 429
    )
    customer.refresh_from_db()
    assert customer.phone == ""


def test_right_answers_do_not_use_up_the_limit(client, customer):
    auth = _token(client)
    for i in range(12):
        changed = _patch(client, auth, phone=f"+48 600 000 0{i:02d}", current_password="RyBa18$05")
        assert changed.status_code == 200
