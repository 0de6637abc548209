"""API.md "Authentication and account security"."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from identity.models import ApiToken
from identity.services import document_publish, user_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def api_login(client, login, password, host=HOST, **extra):
    return client.post(
        "/api/v1/auth/login",
        {"login": login, "password": password, **extra},
        content_type="application/json",
        HTTP_HOST=host,
    )


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_login_returns_a_token_that_opens_me(client, customer):
    response = api_login(client, "L0000001", "RyBa18$05")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_in", "must_change_password", "terms_to_accept"}
    assert body["expires_in"] == 900
    me = client.get("/api/v1/me", HTTP_HOST=HOST, **bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["login"] == "L0000001"
    assert body["token"] not in str(list(ApiToken.objects.values_list("key_hash", flat=True)))


def test_bad_credentials_and_lockout_answer_like_the_pages(client, customer):
    real = [api_login(client, "L0000001", "wrong") for _ in range(6)]
    unknown = [api_login(client, "L5555555", "wrong") for _ in range(6)]
    assert (
        [r.status_code for r in real] == [r.status_code for r in unknown] == [401] * 4 + [423, 423]
    )
    assert [r.json() for r in real] == [r.json() for r in unknown]
    assert real[0].json()["code"] == "invalid_credentials"
    assert real[-1].json()["code"] == "account_locked"
    assert api_login(client, "L0000001", "RyBa18$05").status_code == 423


def test_token_of_tenant_a_is_unknown_on_tenant_b(client, customer, tenants):
    token = api_login(client, "L0000001", "RyBa18$05").json()["token"]
    assert client.get("/api/v1/me", HTTP_HOST="beta.localhost", **bearer(token)).status_code == 401


def test_idle_token_expires(client, customer):
    token = api_login(client, "L0000001", "RyBa18$05").json()["token"]
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=16))
    response = client.get("/api/v1/me", HTTP_HOST=HOST, **bearer(token))
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_logout_revokes_the_token(client, customer):
    token = api_login(client, "L0000001", "RyBa18$05").json()["token"]
    assert client.post("/api/v1/auth/logout", HTTP_HOST=HOST, **bearer(token)).status_code == 204
    assert client.get("/api/v1/me", HTTP_HOST=HOST, **bearer(token)).status_code == 401


def test_temporary_password_gates_the_api_until_changed(client, alpha):
    user_create(login="L0000005", password="Tymczas0we!!", must_change_password=True)
    body = api_login(client, "L0000005", "Tymczas0we!!").json()
    assert body["must_change_password"] is True
    me = client.get("/api/v1/me", HTTP_HOST=HOST, **bearer(body["token"]))
    assert (me.status_code, me.json()["code"]) == (428, "password_change_required")
    weak = client.post(
        "/api/v1/auth/password/change",
        {"current_password": "Tymczas0we!!", "new_password": "abc", "new_password_repeat": "abc"},
        content_type="application/json",
        HTTP_HOST=HOST,
        **bearer(body["token"]),
    )
    assert weak.status_code == 400
    codes = {e["code"] for e in weak.json()["fields"]["new_password"]}
    assert {"min_length", "min_uppercase", "min_digits", "min_special"} <= codes
    ok = client.post(
        "/api/v1/auth/password/change",
        {
            "current_password": "Tymczas0we!!",
            "new_password": "RyBa18$05",
            "new_password_repeat": "RyBa18$05",
        },
        content_type="application/json",
        HTTP_HOST=HOST,
        **bearer(body["token"]),
    )
    assert ok.status_code == 204
    assert client.get("/api/v1/me", HTTP_HOST=HOST, **bearer(body["token"])).status_code == 200


def test_documents_gate_the_api_until_accepted(client, customer):
    doc = document_publish(kind="e_services_policy", title="Polityka", body="Treść")
    body = api_login(client, "L0000001", "RyBa18$05").json()
    # The link opens the document (it was null for a document without a PDF: #12 item 16).
    assert body["terms_to_accept"] == [
        {
            "id": doc.pk,
            "kind": "e_services_policy",
            "version": 1,
            "title": "Polityka",
            "url": f"http://{HOST}/documents/{doc.pk}/",
            "pdf_url": None,
        }
    ]
    page = client.get(f"/documents/{doc.pk}/", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert "Polityka" in page.content.decode()
    assert client.get("/api/v1/me", HTTP_HOST=HOST, **bearer(body["token"])).status_code == 428
    accept = client.post(
        "/api/v1/auth/terms/accept",
        {"ids": [doc.pk]},
        content_type="application/json",
        HTTP_HOST=HOST,
        **bearer(body["token"]),
    )
    assert accept.status_code == 204
    assert client.get("/api/v1/me", HTTP_HOST=HOST, **bearer(body["token"])).status_code == 200


def test_password_check_and_policy(client, alpha):
    valid = client.post(
        "/api/v1/auth/password/check",
        {"password": "RyBa18$05"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert valid.json()["valid"] is True
    assert valid.json()["unmet"] == []
    assert "common" in valid.json()["checked"]
    assert "reused" not in valid.json()["checked"]  # nobody's history without a session
    invalid = client.post(
        "/api/v1/auth/password/check",
        {"password": "ryba"},
        content_type="application/json",
        HTTP_HOST=HOST,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert invalid.json()["unmet"] == ["min_length", "min_uppercase", "min_digits", "min_special"]
    policy = client.get(
        "/api/v1/auth/password/policy", HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert policy["rules"][0] == {
        "code": "min_length",
        "detail": "At least 8 characters",
        "value": 8,
    }


def test_password_check_is_throttled(client, alpha):
    statuses = [
        client.post(
            "/api/v1/auth/password/check",
            {"password": "x"},
            content_type="application/json",
            HTTP_HOST=HOST,
        ).status_code
        for _ in range(61)
    ]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429


def test_reset_and_reminder_always_accept(client, customer):
    for payload, url in (({"login": "L0000001"}, "reset"), ({"login": "nobody"}, "reset")):
        assert (
            client.post(
                f"/api/v1/auth/password/{url}",
                payload,
                content_type="application/json",
                HTTP_HOST=HOST,
            ).status_code
            == 202
        )
    for email in ("l1@example.com", "nobody@example.com"):
        assert (
            client.post(
                "/api/v1/auth/login-reminder",
                {"email": email},
                content_type="application/json",
                HTTP_HOST=HOST,
            ).status_code
            == 202
        )
    bad = client.post(
        "/api/v1/auth/login-reminder",
        {"email": "not-an-email"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_me_contact_data_can_be_changed_and_erased(client, customer):
    token = api_login(client, "L0000001", "RyBa18$05").json()["token"]
    patched = client.patch(
        "/api/v1/me",
        {"phone": "+48 600 100 200", "current_password": "RyBa18$05"},
        content_type="application/json",
        HTTP_HOST=HOST,
        **bearer(token),
    )
    assert patched.json()["phone"] == "+48 600 100 200"
    assert client.delete("/api/v1/me/contact", HTTP_HOST=HOST, **bearer(token)).status_code == 204
    customer.refresh_from_db()
    assert customer.phone == ""


def test_staff_api_login_needs_the_second_factor(client, staff):
    response = api_login(client, "obsluga", "BiUr42#ok")
    assert (response.status_code, response.json()["code"]) == (403, "two_factor_enrolment_required")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("delete", "/api/v1/me/contact"),
        ("post", "/api/v1/auth/logout"),
        ("post", "/api/v1/auth/password/change"),
        ("post", "/api/v1/auth/terms/accept"),
    ],
)
def test_account_endpoints_refuse_anonymous_callers(client, alpha, method, url):
    response = getattr(client, method)(url, {}, content_type="application/json", HTTP_HOST=HOST)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_session_cookie_of_a_then_api_of_b_is_anonymous(client, customer, tenants):
    client.post("/login/", {"login": "L0000001", "password": "RyBa18$05"}, HTTP_HOST=HOST)
    assert client.get("/api/v1/me", HTTP_HOST=HOST).status_code == 200
    connection.set_tenant(tenants.b)
    assert client.get("/api/v1/me", HTTP_HOST="beta.localhost").status_code == 401
