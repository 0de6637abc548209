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


def test_each_holding_finds_the_persons_rows_and_never_the_neighbours(ledger, tenants):
    """Every declared holding, asked for K1 and its account, returns rows of K1 only (K2 in the
    same tenant has the same kinds of rows; tenant B holds the same ERP ids)."""
    from billing.models import Customer, Invoice, InvoiceLine
    from core import personal_data

    connection.set_tenant(tenants.b)
    for entity in ("customers", "invoices"):
        import_text(
            entity,
            {
                "customers": "erp_id;symbol;kind;name\nK1;L0000001;individual;B's K1\n",
                "invoices": "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
                "F1;FV/B/1;K1;2026-01-02;2026-01-10;1.00\n",
            }[entity],
        )
    connection.set_tenant(tenants.a)
    owner, neighbour = ledger["owner"], ledger["neighbour"]
    mine = [Customer.objects.get(erp_id="K1").pk]
    theirs = [Customer.objects.get(erp_id="K2").pk]
    found_any = 0
    for holding in personal_data.holdings():
        own = set(
            holding.rows_of(customer_ids=mine, account_id=owner.pk).values_list("pk", flat=True)
        )
        other = set(
            holding.rows_of(customer_ids=theirs, account_id=neighbour.pk).values_list(
                "pk", flat=True
            )
        )
        assert not own & other, holding.label
        found_any += bool(own)
    assert found_any >= 12  # customer, account, titles, contracts, invoices, payments, ...
    invoices = personal_data.holding_for(Invoice).rows_of(customer_ids=mine)
    assert sorted(invoices.values_list("number", flat=True)) == ["FV/1/2026"]
    lines = personal_data.holding_for(InvoiceLine).rows_of(customer_ids=mine)
    assert set(lines.values_list("invoice__customer_id", flat=True)) <= set(mine)
