"""Organisation signup: validation, e-mail confirmation, provisioning into a working tenant whose
administrator logs in (with 2FA enrolment), and the onboarding gate on registration."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.outbox.models import Message
from tenants.models import PlatformEvent, SignupRequest, Tenant
from tenants.tests.conftest import ROOT, last_link, signup_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("nip", "5260250275", "This NIP is not valid"),
        ("nip", "12345", "This NIP is not valid"),
        ("regon", "123456786", "This REGON is not valid"),
        ("slug", "console", "reserved by the platform"),
        ("slug", "www", "reserved by the platform"),
        ("slug", "alpha", "This subdomain is taken."),
        ("slug", "Zła_nazwa", "Use 1–63 lower-case letters"),
        ("slug", "-abc", "Use 1–63 lower-case letters"),
        ("admin_email", "not-an-address", "Enter a valid email address."),
        ("accept_terms", "", "This field is required."),
    ],
)
def test_signup_refuses_bad_input_and_creates_nothing(
    public_schema, client, field, value, expected
):
    response = client.post(
        "/signup/", signup_data(**{field: value}), HTTP_HOST=ROOT, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not SignupRequest.objects.exists()
    assert not Message.objects.exists()


def test_signup_messages_are_translated(public_schema, client):
    response = client.post("/signup/", signup_data(nip="5260250275"), HTTP_HOST=ROOT)
    assert "NIP" in response.content.decode()
    assert "nie jest poprawny" in response.content.decode()


def test_preset_names_are_translated_on_the_signup_page(public_schema, client):
    """#12 item 15: the preset names stayed Polish on the English and Ukrainian signup."""
    english = client.get("/signup/", HTTP_HOST=ROOT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A: Housing cooperative – activation request (e-BOM / e-BOPG)" in english
    assert "Spółdzielnia – wniosek" not in english
    ukrainian = client.get("/signup/", HTTP_HOST=ROOT, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "C: Продавець енергії – реєстрація за договором" in ukrainian
    polish = client.get("/signup/", HTTP_HOST=ROOT, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "A: Spółdzielnia – wniosek o aktywację (e-BOM / e-BOPG)" in polish


def test_subdomain_availability_api(public_schema, client):
    def check(value):
        return client.get(
            "/api/v1/signup/availability",
            {"subdomain": value},
            HTTP_HOST=ROOT,
            HTTP_ACCEPT_LANGUAGE="en",
        ).json()

    assert check("wolna-nazwa")["available"] is True
    assert check("alpha") | {"detail": ""} == {
        "subdomain": "alpha",
        "available": False,
        "code": "slug_taken",
        "detail": "",
    }
    assert check("admin")["code"] == "slug_reserved"
    assert check("a_b")["code"] == "invalid_slug"
    # Tenant hosts do not have the platform's API.
    assert (
        client.get(
            "/api/v1/signup/availability", {"subdomain": "x"}, HTTP_HOST="alpha.localhost"
        ).status_code
        == 404
    )


def test_signup_sends_a_confirmation_link_and_creates_nothing_else(public_schema, client):
    tenants_before = Tenant.objects.count()
    response = client.post("/signup/", signup_data(), HTTP_HOST=ROOT)
    assert response.status_code == 200
    assert "anna@smtestowa.example" in response.content.decode()
    signup = SignupRequest.objects.get()
    assert signup.status == "awaiting_confirmation"
    assert signup.preset == "A"  # the housing cooperative's default
    assert signup.terms_version
    assert signup.terms_accepted_at
    mail = Message.objects.get()
    assert mail.recipient == "anna@smtestowa.example"
    assert "/signup/confirm/" in last_link(mail)
    assert Tenant.objects.count() == tenants_before
    # Opening the link shows a button and changes nothing (mail scanners open links).
    path = last_link(mail).split(ROOT, 1)[1]
    page = client.get(path, HTTP_HOST=ROOT)
    assert page.status_code == 200
    signup.refresh_from_db()
    assert signup.status == "awaiting_confirmation"


def test_unknown_and_expired_links_are_refused(public_schema, client):
    from datetime import timedelta

    from django.utils import timezone

    assert client.get("/signup/confirm/nonsense/", HTTP_HOST=ROOT).status_code == 410
    client.post("/signup/", signup_data(), HTTP_HOST=ROOT)
    token = last_link(Message.objects.get()).rstrip("/").rsplit("/", 1)[-1]
    SignupRequest.objects.update(token_expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(f"/signup/confirm/{token}/", HTTP_HOST=ROOT)
    assert response.status_code == 410
    assert SignupRequest.objects.get().status == "awaiting_confirmation"
    assert not Tenant.objects.filter(slug="smtestowa").exists()


def test_confirmation_provisions_a_working_tenant(provisioned, client):
    signup = provisioned
    assert signup.status == "ready", signup.error
    assert signup.step == SignupRequest.Step.DONE
    tenant = signup.tenant
    assert tenant.status == Tenant.Status.ONBOARDING
    assert tenant.preset == "A"
    assert tenant.nip == "5260250274"
    assert tenant.configuration.branding.contact_email == "anna@smtestowa.example"
    assert tenant.configuration.payee.nip == "5260250274"
    kinds = set(
        PlatformEvent.objects.filter(tenant_slug="smtestowa").values_list("kind", flat=True)
    )
    assert {"signup_requested", "signup_confirmed", "tenant_provisioned"} <= kinds
    # The status page and API say so, with the portal's address.
    status = client.get(f"/api/v1/signup/{signup.public_id}", HTTP_HOST=ROOT).json()
    assert status["status"] == "ready"
    assert status["percent"] == 100
    assert status["portal_url"] == "http://smtestowa.localhost/"
    assert "anna@" not in str(status)  # no personal data on an unauthenticated endpoint
    # Pressing the button again does not provision twice.
    host = "smtestowa.localhost"
    with schema_context("smtestowa"):
        from identity.models import User

        admin = User.objects.get()
        assert admin.role == "tenant_admin"
        assert admin.username == "anna@smtestowa.example"
        assert not admin.has_usable_password()
        invitation = Message.objects.get(recipient="anna@smtestowa.example")
    link = last_link(invitation)
    assert link.startswith("http://smtestowa.localhost/password/set/")
    # The administrator sets a password through the link and logs in on the new subdomain...
    path = link.split(host, 1)[1]
    response = client.post(
        path,
        {"new_password": "NoWe$$Has10", "new_password_repeat": "NoWe$$Has10"},
        HTTP_HOST=host,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        "/login/", {"login": "anna@smtestowa.example", "password": "NoWe$$Has10"}, HTTP_HOST=host
    )
    assert response.status_code == 302
    # ...and must enrol the second factor before anything else.
    assert client.get("/office/", HTTP_HOST=host).url in ("/account/2fa/", "/account/2fa/enrol/")
    connection.set_schema_to_public()


def test_a_failed_provisioning_is_recorded(
    public_schema, client, django_capture_on_commit_callbacks
):
    client.post("/signup/", signup_data(), HTTP_HOST=ROOT)
    token = last_link(Message.objects.get()).rstrip("/").rsplit("/", 1)[-1]
    # Someone else's portal takes the subdomain after the signup but before the confirmation.
    from tenants.services import tenant_create

    tenant_create(name="Ktoś inny", slug="smtestowa", kind="other")
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/signup/confirm/{token}/", HTTP_HOST=ROOT)
    signup = SignupRequest.objects.get()
    assert signup.status == "failed"
    assert "taken" in signup.error or "zajęta" in signup.error
    page = client.get(f"/signup/{signup.public_id}/", HTTP_HOST=ROOT)
    assert page.status_code == 200
    assert "notice-error" in page.content.decode()


def test_registration_is_closed_until_the_admin_publishes(
    provisioned, client, django_capture_on_commit_callbacks
):
    from tenants.provisioning import tenant_publish

    host = "smtestowa.localhost"
    page = client.get("/register/", HTTP_HOST=host)
    assert page.status_code == 404
    api = client.get("/api/v1/registration", HTTP_HOST=host)
    assert api.status_code == 404
    assert api.json()["code"] == "registration_closed"
    posted = client.post(
        "/api/v1/registration", {}, HTTP_HOST=host, content_type="application/json"
    )
    assert posted.status_code == 404
    login_page = client.get("/login/", HTTP_HOST=host).content.decode()
    assert 'href="/register/"' not in login_page
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        tenant_publish(tenant=Tenant.objects.get(slug="smtestowa"), actor="test")
    assert client.get("/register/", HTTP_HOST=host).status_code == 200
    assert client.get("/api/v1/registration", HTTP_HOST=host).status_code == 200
    connection.set_schema_to_public()


def test_signup_api(public_schema, client):
    body = {
        **{k: v for k, v in signup_data().items() if k not in ("slug", "accept_terms")},
        "subdomain": "apitest",
        "accept_terms": True,
    }
    response = client.post("/api/v1/signup", body, HTTP_HOST=ROOT, content_type="application/json")
    assert response.status_code == 202
    assert response.json()["status"] == "awaiting_confirmation"
    bad = client.post(
        "/api/v1/signup",
        {**body, "nip": "1234567890", "subdomain": "api", "accept_terms": False},
        HTTP_HOST=ROOT,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"nip", "subdomain", "accept_terms"}
    assert SignupRequest.objects.count() == 1
    assert (
        client.get(
            "/api/v1/signup/00000000-0000-0000-0000-000000000000", HTTP_HOST=ROOT
        ).status_code
        == 404
    )
