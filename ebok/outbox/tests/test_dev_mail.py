"""/dev/mail/ shows the tenant's own outbox in development, and nothing otherwise."""

import pytest

from ebok.outbox.services import email_enqueue

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
