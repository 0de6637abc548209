"""The language switch remembers a logged-in person's choice in their account (#21 item 3): the
next login on any device opens in it, their messages come in it; a language the tenant does not
offer is not stored; a person who never chose keeps their browser's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from identity.models import User
from identity.tests.conftest import login

pytestmark = pytest.mark.django_db
A = "alpha.localhost"
PASSWORD = "RyBa18$05"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_the_choice_follows_the_account_to_another_device(customer):
    laptop = Client()
    assert login(laptop, A, "L0000001", PASSWORD).status_code == 302
    switched = laptop.post("/i18n/setlang/", {"language": "uk", "next": "/"}, HTTP_HOST=A)
    assert switched.status_code == 302
    assert switched.cookies[COOKIE].value == "uk"
    customer.refresh_from_db()
    assert (customer.language, customer.language_chosen) == ("uk", True)

    phone = Client(HTTP_ACCEPT_LANGUAGE="pl")
    logged_in = login(phone, A, "L0000001", PASSWORD)
    assert logged_in.cookies[COOKIE].value == "uk"
    page = phone.get("/account/", HTTP_HOST=A)
    assert '<html lang="uk">' in page.content.decode()


def test_a_language_the_tenant_does_not_offer_is_not_kept(customer, set_config):
    set_config(languages=["pl", "en"])
    client = Client()
    login(client, A, "L0000001", PASSWORD)
    client.post("/i18n/setlang/", {"language": "uk", "next": "/"}, HTTP_HOST=A)
    customer.refresh_from_db()
    assert (customer.language, customer.language_chosen) == ("pl", False)


def test_who_never_chose_keeps_the_browsers_language(customer):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = login(client, A, "L0000001", PASSWORD)
    assert COOKIE not in response.cookies
    assert '<html lang="en">' in client.get("/account/", HTTP_HOST=A).content.decode()


def test_an_anonymous_switch_stores_nothing(customer):
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_HOST=A)
    assert response.cookies[COOKIE].value == "en"
    assert not User.objects.filter(language_chosen=True).exists()
