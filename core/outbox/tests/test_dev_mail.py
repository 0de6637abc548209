"""/dev/mail/ shows the tenant's own outbox in development, and nothing otherwise."""

import pytest

from core.outbox.services import email_enqueue

pytestmark = pytest.mark.django_db


def _enqueue(tenant, in_tenant, subject):
    in_tenant(tenant)
    return email_enqueue(
        to="x@example.com", template="notice", context={"title": subject, "text": "t"}
    )


def test_dev_mail_lists_only_this_tenants_messages(client, tenants, in_tenant, settings):
    settings.DEBUG = True
    mine = _enqueue(tenants.a, in_tenant, "Wiadomość alfa")
    _enqueue(tenants.b, in_tenant, "Wiadomość beta")
    page = client.get("/dev/mail/", HTTP_HOST="alpha.localhost").content.decode()
    assert "Wiadomość alfa" in page
    assert "Wiadomość beta" not in page
    detail = client.get(f"/dev/mail/{mine.pk}/", HTTP_HOST="alpha.localhost")
    assert detail.status_code == 200
    html = client.get(f"/dev/mail/{mine.pk}/html", HTTP_HOST="alpha.localhost")
    assert "sandbox" in html["Content-Security-Policy"]


def test_dev_mail_is_not_there_without_debug(client, tenants, in_tenant):
    message = _enqueue(tenants.a, in_tenant, "Sekret")
    assert client.get("/dev/mail/", HTTP_HOST="alpha.localhost").status_code == 404
    assert client.get(f"/dev/mail/{message.pk}/", HTTP_HOST="alpha.localhost").status_code == 404


STRANGER = {"REMOTE_ADDR": "192.0.2.44"}


def test_dev_mail_is_closed_to_strangers_even_with_debug(client, tenants, in_tenant, settings):
    """Audit finding 7: on a demo instance a stranger read other users' one-time passwords."""
    settings.DEBUG = True
    message = _enqueue(tenants.a, in_tenant, "Hasło jednorazowe")
    host = {"HTTP_HOST": "alpha.localhost"}
    for path in ("/dev/mail/", f"/dev/mail/{message.pk}/", f"/dev/mail/{message.pk}/html"):
        assert client.get(path, **host, **STRANGER).status_code == 404
        # A loopback address relayed by a proxy is a stranger too.
        relayed = client.get(path, **host, HTTP_X_FORWARDED_FOR="192.0.2.44")
        assert relayed.status_code == 404
    # A logged-in customer is a stranger as well.
    from identity.services import user_create

    user_create(login="L0000777", password="RyBa18$05", customer_symbol="L0000777")
    client.post("/login/", {"login": "L0000777", "password": "RyBa18$05"}, **host)
    assert client.get("/dev/mail/", **host, **STRANGER).status_code == 404


def test_dev_mail_is_open_to_the_tenants_verified_staff(client, tenants, in_tenant, settings):
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff

    settings.DEBUG = True
    _enqueue(tenants.a, in_tenant, "Dla biura")
    staff = user_create(login="biuro", password="BiUr42#ok", role="customer_service")
    login_verified_staff(client, "alpha.localhost", staff, "BiUr42#ok")
    page = client.get("/dev/mail/", HTTP_HOST="alpha.localhost", **STRANGER)
    assert page.status_code == 200
    assert "Dla biura" in page.content.decode()
