"""Forced change, documents to accept, idle timeout, password change, recovery links and codes."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.outbox.models import Message
from identity.middleware import LAST_ACTIVITY
from identity.models import DocumentAcceptance, OneTimeToken, PasswordHistory
from identity.services import document_publish, user_create
from identity.tests.conftest import login

pytestmark = pytest.mark.django_db


def _same_page(a, b) -> bool:
    strip = lambda r: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", r.content)  # noqa: E731
    return a.status_code == b.status_code and strip(a) == strip(b)


HOST = "alpha.localhost"


def test_temporary_password_forces_a_change_before_anything_else(client, alpha):
    user_create(login="L0000002", password="Tymczas0we!!", must_change_password=True)
    assert login(client, HOST, "L0000002", "Tymczas0we!!").status_code == 302
    assert client.get("/", HTTP_HOST=HOST)["Location"] == "/account/password/change/"
    assert client.get("/account/", HTTP_HOST=HOST)["Location"] == "/account/password/change/"
    assert client.get("/api/v1/tenant", HTTP_HOST=HOST).status_code == 200  # public info stays open
    page = client.get("/account/password/change/", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert 'data-rule="min_uppercase"' in page.content.decode()
    weak = client.post(
        "/account/password/change/",
        {"current_password": "Tymczas0we!!", "new_password": "abc", "new_password_repeat": "abc"},
        HTTP_HOST=HOST,
    )
    assert weak.status_code == 400
    assert 'data-rule="min_length" class="rule rule-unmet"' in weak.content.decode()  # without JS
    done = client.post(
        "/account/password/change/",
        {
            "current_password": "Tymczas0we!!",
            "new_password": "RyBa18$05",
            "new_password_repeat": "RyBa18$05",
        },
        HTTP_HOST=HOST,
    )
    assert done.status_code == 302
    assert client.get("/", HTTP_HOST=HOST).status_code == 200


def test_reusing_the_temporary_password_is_refused_where_history_applies(
    client, beta, tenants, django_capture_on_commit_callbacks
):
    from tenants.services import tenant_setting_set

    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(tenant=tenants.b, key="password_policy.history", value=2, actor="t")
    user_create(login="anna", password="Tymczas0we1", must_change_password=True)
    login(client, "beta.localhost", "anna", "Tymczas0we1")
    same = client.post(
        "/account/password/change/",
        {
            "current_password": "Tymczas0we1",
            "new_password": "Tymczas0we1",
            "new_password_repeat": "Tymczas0we1",
        },
        HTTP_HOST="beta.localhost",
    )
    assert same.status_code == 400
    assert "Różne od" in same.content.decode() or "Different from" in same.content.decode()


def test_new_document_version_must_be_accepted_at_the_next_login(client, customer):
    doc1 = document_publish(kind="e_services_policy", title="Polityka ŚUDE", body="Treść 1")
    login(client, HOST, "L0000001", "RyBa18$05")
    assert client.get("/", HTTP_HOST=HOST)["Location"] == "/account/terms/"
    refused = client.post("/account/terms/", {}, HTTP_HOST=HOST)
    assert refused.status_code == 400
    assert (
        client.post("/account/terms/", {f"doc_{doc1.pk}": "on"}, HTTP_HOST=HOST).status_code == 302
    )
    assert client.get("/", HTTP_HOST=HOST).status_code == 200
    acceptance = DocumentAcceptance.objects.get(user=customer, document=doc1)
    assert acceptance.ip == "127.0.0.1"
    client.post("/logout/", HTTP_HOST=HOST)

    doc2 = document_publish(kind="e_services_policy", title="Polityka ŚUDE", body="Treść 2")
    login(client, HOST, "L0000001", "RyBa18$05")
    assert client.get("/", HTTP_HOST=HOST)["Location"] == "/account/terms/"
    client.post("/account/terms/", {f"doc_{doc2.pk}": "on"}, HTTP_HOST=HOST)
    assert list(
        DocumentAcceptance.objects.filter(user=customer)
        .values_list("document__version", flat=True)
        .order_by("document__version")
    ) == [1, 2]


def test_idle_session_expires_server_side(client, customer):
    login(client, HOST, "L0000001", "RyBa18$05")
    assert client.get("/account/", HTTP_HOST=HOST).status_code == 200
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 15 * 60 - 5  # the clock moved past 15 minutes
    session.save()
    expired = client.get("/account/", HTTP_HOST=HOST)
    assert expired.status_code == 302
    assert expired["Location"] == "/login/?expired=1"
    page = client.get("/login/?expired=1", HTTP_HOST=HOST).content.decode()
    assert page.count("po okresie bezczynności") == 1  # #12 item 12: it was told twice
    assert client.get("/account/", HTTP_HOST=HOST)["Location"].startswith("/login/")


def test_activity_within_the_timeout_keeps_the_session_and_refresh_extends_it(client, customer):
    login(client, HOST, "L0000001", "RyBa18$05")
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 14 * 60
    session.save()
    refreshed = client.post("/session/refresh", HTTP_HOST=HOST, HTTP_ACCEPT="application/json")
    assert refreshed.json() == {"idle_seconds": 900}
    assert int(time.time()) - client.session[LAST_ACTIVITY] < 5
    page = client.get("/account/", HTTP_HOST=HOST).content.decode()
    assert 'id="session-timer"' in page
    assert 'data-idle-seconds="900"' in page


def test_remember_me_keeps_the_login_name_not_the_session(client, customer):
    login(client, HOST, "L0000001", "RyBa18$05", remember="on")
    assert client.cookies["ebok_login"].value == "L0000001"
    client.post("/logout/", HTTP_HOST=HOST)
    page = client.get("/login/", HTTP_HOST=HOST).content.decode()
    assert 'value="L0000001"' in page
    assert client.session.get_expiry_age() <= 12 * 3600


def test_password_change_in_settings_logs_out_other_devices(
    client, customer, django_capture_on_commit_callbacks
):
    from django.test import Client

    other = Client()
    login(other, HOST, "L0000001", "RyBa18$05")
    login(client, HOST, "L0000001", "RyBa18$05")
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(
            "/account/password/",
            {
                "current_password": "RyBa18$05",
                "new_password": "NoWe12#hasLO",
                "new_password_repeat": "NoWe12#hasLO",
            },
            HTTP_HOST=HOST,
        )
    assert changed.status_code == 302
    assert client.get("/account/", HTTP_HOST=HOST).status_code == 200
    assert other.get("/account/", HTTP_HOST=HOST).status_code == 302  # device 2 is logged out
    assert PasswordHistory.objects.filter(user=customer).count() == 2
    notice = Message.objects.get(recipient="l1@example.com")
    assert "NoWe12#hasLO" not in notice.body_text


def test_wrong_current_password_changes_nothing(client, customer):
    login(client, HOST, "L0000001", "RyBa18$05")
    response = client.post(
        "/account/password/",
        {
            "current_password": "bad",
            "new_password": "NoWe12#hasLO",
            "new_password_repeat": "NoWe12#hasLO",
        },
        HTTP_HOST=HOST,
    )
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.check_password("RyBa18$05")


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    """POST the reset form and run what it queued (the delivery task) as the worker would."""

    def _ask(login: str, host: str = HOST):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/password/reset/", {"login": login}, HTTP_HOST=host)

    return _ask


def _reset_link(recipient: str) -> str:
    body = (
        Message.objects.filter(recipient=recipient, template="password_reset_link")
        .latest("pk")
        .body_text
    )
    return re.search(r"https?://[^\s]+/password/reset/([^/\s]+)/", body).group(0)


def test_reset_link_works_once_and_names_the_user_and_expiry(client, customer, ask_reset):
    other_response = ask_reset("L7777777")
    response = ask_reset("L0000001")
    assert response.status_code == 200
    assert _same_page(response, other_response)  # nothing tells whether the login exists
    link = _reset_link("l1@example.com")
    path = link.split("alpha.localhost", 1)[1]
    page = client.get(path, HTTP_HOST=HOST).content.decode()
    assert "L0000001" in page
    expires = OneTimeToken.objects.get(user=customer).expires_at
    assert expires - timezone.now() > timedelta(hours=23)  # preset A: one day
    assert timezone.localtime(expires).strftime("%d.%m.%Y %H:%M") in page
    form = {"new_password": "NoWe12#hasLO", "new_password_repeat": "NoWe12#hasLO"}
    assert client.post(path, form, HTTP_HOST=HOST).status_code == 302
    again = client.post(path, form, HTTP_HOST=HOST)
    assert again.status_code == 410
    customer.refresh_from_db()
    assert customer.check_password("NoWe12#hasLO")


def test_expired_reset_link_is_refused(client, customer, ask_reset):
    ask_reset("L0000001")
    path = _reset_link("l1@example.com").split("alpha.localhost", 1)[1]
    OneTimeToken.objects.filter(user=customer).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 410
    assert "/password/reset/" in response.content.decode()  # a way to ask again


def _one_time_password(recipient: str) -> str:
    body = Message.objects.filter(recipient=recipient).latest("pk").body_text
    return re.search(r"(?:password is|jednorazowe to|пароль):\s+(\S+)\n", body).group(1)


def test_one_time_password_recovery_forces_a_change(client, beta, ask_reset):
    user = user_create(login="anna", password="Iskra2026", email="anna@example.com")
    ask_reset("anna", "beta.localhost")
    code = _one_time_password("anna@example.com")
    user.refresh_from_db()
    assert not user.must_change_password  # nothing changes until the code is used
    assert user.check_password("Iskra2026")
    assert login(client, "beta.localhost", "anna", code).status_code == 302
    assert client.get("/", HTTP_HOST="beta.localhost")["Location"] == "/account/password/change/"
    assert OneTimeToken.objects.get(user=user).used_at is not None  # used once
    # The forced change takes the code as the current password.
    changed = client.post(
        "/account/password/change/",
        {
            "current_password": code,
            "new_password": "NoWe12#hasLO",
            "new_password_repeat": "NoWe12#hasLO",
        },
        HTTP_HOST="beta.localhost",
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert user.check_password("NoWe12#hasLO")
    assert not user.must_change_password
    assert not OneTimeToken.objects.filter(user=user).exists()


def test_a_stranger_asking_for_a_one_time_password_does_not_lock_the_owner_out(
    client, beta, ask_reset
):
    """Audit finding 4: the request replaced the password at once. Now the owner's password
    keeps working, and logging in with it voids the code the stranger asked for."""
    user = user_create(login="anna", password="Iskra2026", email="anna@example.com")
    ask_reset("anna", "beta.localhost")
    code = _one_time_password("anna@example.com")
    assert login(client, "beta.localhost", "anna", "Iskra2026").status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    client.post("/logout/", HTTP_HOST="beta.localhost")
    assert login(client, "beta.localhost", "anna", code).status_code == 401
    # Someone who holds only the mailbox uses a fresh code (and would be stopped at a second
    # factor): the owner's password still works afterwards.
    ask_reset("anna", "beta.localhost")
    stolen = _one_time_password("anna@example.com")
    assert login(client, "beta.localhost", "anna", stolen).status_code == 302
    client.post("/logout/", HTTP_HOST="beta.localhost")
    assert login(client, "beta.localhost", "anna", "Iskra2026").status_code == 302
    client.post("/logout/", HTTP_HOST="beta.localhost")
    # A newer request replaces the older code; an expired code does not work.
    ask_reset("anna", "beta.localhost")
    first = _one_time_password("anna@example.com")
    ask_reset("anna", "beta.localhost")
    second = _one_time_password("anna@example.com")
    assert login(client, "beta.localhost", "anna", first).status_code == 401
    OneTimeToken.objects.filter(user=user).update(expires_at=timezone.now())
    assert login(client, "beta.localhost", "anna", second).status_code == 401
    user.refresh_from_db()
    assert user.check_password("Iskra2026")
    stored = OneTimeToken.objects.get(user=user, used_at__isnull=True).token_hash
    assert second not in stored
    assert len(stored) == 64


def test_login_reminder_sends_every_login_of_the_address(
    client, alpha, django_capture_on_commit_callbacks
):
    user_create(login="L0000003", password="x", email="shared@example.com")
    user_create(login="L0000004", password="x", email="shared@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/login/reminder/", {"email": "shared@example.com"}, HTTP_HOST=HOST)
        unknown = client.post("/login/reminder/", {"email": "nobody@example.com"}, HTTP_HOST=HOST)
    assert _same_page(known, unknown)
    body = Message.objects.get(recipient="shared@example.com").body_text
    assert "L0000003" in body
    assert "L0000004" in body
    assert not Message.objects.filter(recipient="nobody@example.com").exists()


def test_reset_link_of_tenant_a_is_unknown_on_tenant_b(client, customer, tenants, ask_reset):
    ask_reset("L0000001")
    path = _reset_link("l1@example.com").split("alpha.localhost", 1)[1]
    response = client.get(path, HTTP_HOST="beta.localhost")
    assert response.status_code == 410
    form = {"new_password": "NoWe12#hasLO", "new_password_repeat": "NoWe12#hasLO"}
    assert client.post(path, form, HTTP_HOST="beta.localhost").status_code == 410
    connection.set_tenant(tenants.a)
    customer.refresh_from_db()
    assert customer.check_password("RyBa18$05")


@pytest.mark.parametrize(
    "url",
    ["/account/", "/account/password/", "/account/terms/", "/account/2fa/", "/account/2fa/enrol/"],
)
def test_account_pages_send_anonymous_visitors_to_login(client, alpha, url):
    response = client.get(url, HTTP_HOST=HOST)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_session_refresh_without_a_session_lands_on_login(client, alpha):
    assert client.post("/session/refresh", HTTP_HOST=HOST)["Location"] == "/login/?expired=1"
    api = client.post("/session/refresh", HTTP_HOST=HOST, HTTP_ACCEPT="application/json")
    assert api.status_code == 401


def test_forms_without_csrf_token_are_refused(alpha, customer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/login/", {"login": "L0000001", "password": "RyBa18$05"}, HTTP_HOST=HOST
    )
    assert response.status_code == 403


def test_documents_are_public_per_tenant_and_pdfs_served_only_through_the_view(
    client, alpha, tenants, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4 regulamin alfa", content_type="application/pdf")
    doc = document_publish(kind="e_services_policy", title="Polityka ŚUDE", body="Treść", pdf=pdf)
    assert doc.pdf.name.startswith("alpha/documents/")
    login_page = client.get("/login/", HTTP_HOST=HOST).content.decode()
    assert f"/documents/{doc.pk}/" in login_page
    response = client.get(f"/documents/{doc.pk}/pdf", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 regulamin alfa"
    assert client.get(f"/documents/{doc.pk}/pdf", HTTP_HOST="beta.localhost").status_code == 404
    assert client.get(f"/documents/{doc.pk}/", HTTP_HOST="beta.localhost").status_code == 404
    connection.set_tenant(tenants.a)


@pytest.mark.parametrize("path", ["/register/activate/{}/", "/password/reset/{}/"])
def test_a_link_nobody_was_sent_is_called_invalid_not_expired(client, alpha, path):
    """#12 item 12: an invented link said "expired"; the API keeps its contract's code."""
    page = client.get(path.format("wymyslony-token-123"), HTTP_HOST=HOST)
    assert page.status_code == 410
    body = page.content.decode()
    assert "Ten odnośnik jest nieprawidłowy" in body
    assert "wygasł" not in body
    api = client.post(
        "/api/v1/registration/activate",
        {"token": "wymyslony-token-123"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert api.status_code == 410
    assert api.json()["code"] == "link_expired"
