"""A row written in tenant A's schema is invisible from tenant B, and sessions stay per host."""

import pytest
from django.db import connection

from core.outbox.models import Message
from identity.models import User
from identity.services import user_create

pytestmark = pytest.mark.django_db


def test_row_created_in_tenant_a_is_invisible_from_tenant_b(tenants, in_tenant):
    in_tenant(tenants.a)
    user_create(login="only-in-alpha", password="x", email="a@example.com")
    assert User.objects.filter(username="only-in-alpha").count() == 1

    in_tenant(tenants.b)
    assert connection.schema_name == "beta"
    assert User.objects.filter(username="only-in-alpha").count() == 0

    connection.set_schema_to_public()
    assert User.objects.filter(username="only-in-alpha").count() == 0


def test_outbox_rows_are_per_schema(tenants, in_tenant):
    in_tenant(tenants.a)
    Message.objects.create(
        recipient="x@example.com", template="t", language="pl", subject="A-only", body_text="x"
    )
    in_tenant(tenants.b)
    assert not Message.objects.filter(subject="A-only").exists()


def test_session_from_tenant_a_is_anonymous_on_tenant_b(client, tenants, in_tenant):
    in_tenant(tenants.a)
    user_create(login="L0000001", password="S3cret-pass!", email="l@example.com")
    connection.set_schema_to_public()
    response = client.post(
        "/login/", {"login": "L0000001", "password": "S3cret-pass!"}, HTTP_HOST="alpha.localhost"
    )
    assert response.status_code == 302
    session_cookie = client.cookies["sessionid"].value

    home_a = client.get("/", HTTP_HOST="alpha.localhost")
    assert "L0000001" in home_a.content.decode()

    client.cookies["sessionid"] = session_cookie  # replayed against B's host
    home_b = client.get("/", HTTP_HOST="beta.localhost")
    assert home_b.status_code == 200
    assert "L0000001" not in home_b.content.decode()
    assert not home_b.wsgi_request.user.is_authenticated
