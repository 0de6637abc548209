"""PESEL is never stored, shown or logged unmasked."""

import logging

import pytest
from django.db import connection

from billing.importing import import_text

pytestmark = pytest.mark.django_db
PESEL = "44051401359"
HOST = "alpha.localhost"


def test_pesel_never_appears_in_the_database_api_pages_or_logs(client, ledger, caplog_records):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM billing_customer")
        assert PESEL not in str(cursor.fetchall())
    bad = import_text(
        "customers", f"erp_id;symbol;kind;name;pesel\nK9;L0000009;individual;X;{PESEL[:-1]}0\n"
    )
    assert PESEL[:-1] not in str(bad.errors)
    client.force_login(ledger["owner"])
    for url in (
        "/",
        "/charges/",
        "/settlements/",
        "/balance-confirmation/",
        "/api/v1/balance",
        "/api/v1/me",
    ):
        assert PESEL not in client.get(url, HTTP_HOST=HOST).content.decode(), url
    logging.getLogger("ebok.test").warning("matching customer with PESEL %s", PESEL)
    assert all(PESEL not in line for line in caplog_records())


@pytest.fixture
def caplog_records():
    """Formatted log lines as the platform's handler writes them (with its filters)."""
    import io

    from core.logging import TenantContextFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TenantContextFilter())
    handler.setFormatter(logging.Formatter("%(tenant)s %(message)s"))
    logging.getLogger().addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logging.getLogger().removeHandler(handler)
