"""The tenant's own words (#12 items 10 and 11): each portal names its login field, its reset
button and its premises section from its settings, and every text a tenant writes has values
per language with Polish standing in for an empty one; the administrator edits them."""

import re

import pytest
from django.db import connection
from django.test import Client

from identity.services import document_publish, user_create
from identity.tests.conftest import login_verified_staff
from tenants import policies
from tenants.models import Tenant
from tenants.services import tenant_setting_set

pytestmark = pytest.mark.django_db
A, C = "alpha.localhost", "beta.localhost"


def _in(language: str) -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def _label(page: str, field: str) -> str:
    return re.search(rf'<label for="id_{field}">([^<*]+)', page).group(1).strip()


def test_login_field_and_reset_button_speak_each_portals_words(tenants):
    """Seed A: "Symbol klienta" and "Prześlij nowe hasło e-mailem"; seed C: "Login, PESEL lub
    NIP"; in English and Ukrainian too."""
    assert _label(_in("pl").get("/login/", HTTP_HOST=A).content.decode(), "login") == (
        "Symbol klienta"
    )
    assert _label(_in("en").get("/login/", HTTP_HOST=A).content.decode(), "login") == (
        "Customer symbol"
    )
    assert _label(_in("pl").get("/login/", HTTP_HOST=C).content.decode(), "login") == (
        "Login, PESEL lub NIP"
    )
    assert _label(_in("uk").get("/login/", HTTP_HOST=C).content.decode(), "login") == (
        "Логін, PESEL або NIP"
    )
    reset = _in("pl").get("/password/reset/", HTTP_HOST=A).content.decode()
    assert "Prześlij nowe hasło e-mailem</button>" in reset
    assert _label(reset, "login") == "Symbol klienta"
    assert "Send a new password by e-mail</button>" in (
        _in("en").get("/password/reset/", HTTP_HOST=A).content.decode()
    )


def test_an_energy_seller_calls_its_premises_points_of_supply(client, tenants):
    connection.set_tenant(tenants.b)
    user = user_create(login="klient", password="Prad2026moj")
    client.force_login(user)
    client.cookies["django_language"] = "pl"
    page = client.get("/premises/", HTTP_HOST=C).content.decode()
    assert "<h1>Punkty poboru</h1>" in page
    assert re.search(r">Punkty poboru\s*</a>", page)  # the navigation
    assert not re.search(r">(Lokale|Umowy)\s*</a>", page)
    client.cookies["django_language"] = "en"
    assert "<h1>Points of supply</h1>" in client.get("/premises/", HTTP_HOST=C).content.decode()


def test_tenant_texts_follow_the_readers_language_with_polish_standing_in(
    tenants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a,
            key="branding.office_hours",
            actor="t",
            value={"pl": "pn.–pt. 7–15", "en": "Mon–Fri 7–15", "uk": ""},
        )
    connection.set_tenant(tenants.a)
    document_publish(
        kind="e_services_policy",
        title="Polityka świadczenia usług",
        titles={"en": "E-services policy", "uk": ""},
    )
    english = _in("en").get("/login/", HTTP_HOST=A).content.decode()
    assert "Mon–Fri 7–15" in english
    assert "E-services policy" in english
    ukrainian = _in("uk").get("/login/", HTTP_HOST=A).content.decode()
    assert "pn.–pt. 7–15" in ukrainian  # no Ukrainian text: the Polish one
    assert "Polityka świadczenia usług" in ukrainian
    help_en = _in("en").get("/register/", HTTP_HOST=A).content.decode()
    assert "in your payment book" in help_en  # preset A's symbol help, in English
    assert "książeczce opłat" in _in("pl").get("/register/", HTTP_HOST=A).content.decode()


def test_a_text_without_its_polish_value_is_refused(tenants):
    from core.errors import ApplicationError

    before = Tenant.objects.get(pk=tenants.a.pk).config
    with pytest.raises(ApplicationError) as refused:
        tenant_setting_set(
            tenant=tenants.a, key="branding.footer", actor="t", value={"en": "Only English"}
        )
    assert "branding.footer.pl" in refused.value.extra["fields"]
    assert Tenant.objects.get(pk=tenants.a.pk).config == before


def test_a_plain_string_as_stored_before_reads_as_the_polish_text():
    text = policies.load(
        policies.Branding, {"portal_name": "X", "short_name": "X", "footer": "Stopka"}
    )
    assert text.footer == policies.LocalText(pl="Stopka")
    assert text.footer.in_language("en") == "Stopka"


def test_the_administrator_edits_the_texts_per_language(
    client, tenants, django_capture_on_commit_callbacks
):
    connection.set_tenant(tenants.a)
    admin = user_create(login="admin", password="BiUr42#ok", role="tenant_admin")
    login_verified_staff(client, A, admin, "BiUr42#ok")
    page = client.get("/office/onboarding/branding/", HTTP_HOST=A).content.decode()
    assert 'name="wording__login_label__en" value="Customer symbol"' in page
    form = {
        "portal_name": "e-BOM – Spółdzielnia Alfa",
        "short_name": "Alfa",
        "primary_colour": "#1f5f8b",
        "accent_colour": "#f0a202",
        "branding__office_hours__pl": "pn.–pt. 8–16",
        "branding__office_hours__en": "Mon–Fri 8–16",
        "branding__office_hours__uk": "пн–пт 8–16",
        "branding__footer__pl": "",
        "wording__login_label__pl": "Numer klienta",
        "wording__login_label__en": "Customer number",
        "wording__login_label__uk": "",
        "password_policy__description__pl": "Co najmniej 8 znaków.",
        "password_policy__description__en": "At least 8 characters.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post("/office/onboarding/branding/", form, HTTP_HOST=A)
    assert saved.status_code == 302, saved.content.decode()[-2000:]
    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    assert config.branding.office_hours == policies.LocalText(
        pl="pn.–pt. 8–16", en="Mon–Fri 8–16", uk="пн–пт 8–16"
    )
    assert config.wording.login_label.in_language("uk") == "Numer klienta"
    assert config.password_policy.description.in_language("en") == "At least 8 characters."
    assert _label(_in("en").get("/login/", HTTP_HOST=A).content.decode(), "login") == (
        "Customer number"
    )


def test_the_public_api_gives_the_tenants_texts_in_the_askers_language(client, tenants):
    english = client.get("/api/v1/tenant", HTTP_HOST=A, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["password_policy"]["description"].startswith("The password must have")
    polish = client.get("/api/v1/tenant", HTTP_HOST=A, HTTP_ACCEPT_LANGUAGE="pl").json()
    assert polish["password_policy"]["description"].startswith("Hasło musi mieć")
    assert isinstance(polish["branding"]["office_hours"], str)
