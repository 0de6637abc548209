"""The customer's own profile: what they see of their account, and what they may change."""

import pytest
from django.test import Client

from core.outbox.models import Message
from identity import pesel
from identity.services import user_create
from identity.tests.conftest import login

pytestmark = pytest.mark.django_db
HOST = "beta.localhost"
PESEL = "44051401359"


@pytest.fixture
def by_pesel(beta):
    """An account whose login is a PESEL (flow C without a chosen login)."""
    return user_create(
        login=pesel.login_alias(PESEL),
        password="Iskra2026",
        email="iga@example.com",
        first_name="Iga",
        last_name="Peselowa",
    )


def test_a_pesel_login_is_never_shown_as_its_storage_key(
    client, by_pesel, django_capture_on_commit_callbacks
):
    """#12 item 2: the account page, /api/v1/me and e-mails showed "pesel:487d…"."""
    assert login(client, HOST, f"{PESEL[:6]} {PESEL[6:]}", "Iskra2026").status_code == 302
    client.post("/account/terms/", {}, HTTP_HOST=HOST)
    page = client.get("/account/", HTTP_HOST=HOST).content.decode()
    assert "pesel:" not in page
    assert "Twój numer PESEL" in page
    me = client.get("/api/v1/me", HTTP_HOST=HOST).json()
    assert not me["login"].startswith("pesel:")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/password/reset/", {"login": PESEL}, HTTP_HOST=HOST)
    mail = Message.objects.filter(recipient="iga@example.com").latest("pk")
    assert "pesel:" not in mail.body_text + mail.body_html
    assert mail.body_text.startswith("Dzień dobry Iga Peselowa,")
