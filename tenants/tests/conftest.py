import re

import pytest
from django.db import connection

ROOT = "localhost"


def signup_data(**overrides):
    data = {
        "organisation_name": "Spółdzielnia Mieszkaniowa Testowa",
        "kind": "housing_cooperative",
        "nip": "5260250274",
        "regon": "",
        "address": "ul. Próbna 1, 00-001 Warszawa",
        "admin_first_name": "Anna",
        "admin_last_name": "Zakładająca",
        "admin_email": "anna@smtestowa.example",
        "slug": "smtestowa",
        "preset": "",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def last_link(message) -> str:
    return re.search(r"https?://\S+", message.body_text).group(0)


@pytest.fixture
def public_schema(tenants):
    connection.set_schema_to_public()
    return tenants.public


@pytest.fixture
def provisioned(public_schema, client, django_capture_on_commit_callbacks):
    """A tenant made through the whole signup: form, e-mail link, confirmation, provisioning."""
    from ebok.outbox.models import Message
    from tenants.models import SignupRequest

    client.post("/signup/", signup_data(), HTTP_HOST=ROOT)
    mail = Message.objects.get(recipient="anna@smtestowa.example")
    token = last_link(mail).rstrip("/").rsplit("/", 1)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/signup/confirm/{token}/", HTTP_HOST=ROOT)
    connection.set_schema_to_public()
    signup = SignupRequest.objects.get(slug="smtestowa")
    return signup
