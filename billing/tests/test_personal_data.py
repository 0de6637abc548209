"""PESEL is never stored, shown or logged unmasked."""

import logging
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

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


def test_a_managers_application_and_an_accounts_lock_are_found_by_what_names_them(ledger):
    """Rows with no link but a name: a manager's application by the e-mail of their account,
    a lock of failed logins by its key; another's rows never, and the erasure anonymises and
    deletes them."""
    from billing.models import ManagerApplication
    from core import personal_data
    from identity.models import LoginLock, User
    from identity.services import user_create

    manager = user_create(login="zarzadca", password="RyBa18$05", role="manager")
    manager.email = "Biuro@Zarzadca.example"
    manager.save(update_fields=["email"])
    mine = ManagerApplication.objects.create(
        company_name="Zarządca",
        nip="7251801126",
        contact_person="Adam Zarządca",
        email="biuro@zarzadca.example",
        phone="600700800",
        addresses="Leśna 1",
    )
    ManagerApplication.objects.create(
        company_name="Inny",
        nip="5260250274",
        contact_person="Ewa Inna",
        email="ewa@inny.example",
        addresses="Polna 2",
    )
    LoginLock.objects.create(key=f"user:{manager.pk}", failures=2)
    LoginLock.objects.create(key=f"user:{ledger['owner'].pk}", failures=1)
    LoginLock.objects.create(key="login:ktos-nieznany", failures=1)
    applications = personal_data.holding_for(ManagerApplication)
    locks = personal_data.holding_for(LoginLock)
    assert list(applications.rows_of(account_id=manager.pk)) == [mine]
    assert list(locks.rows_of(account_id=manager.pk).values_list("key", flat=True)) == [
        f"user:{manager.pk}"
    ]
    assert not applications.rows_of(account_id=ledger["owner"].pk).exists()

    personal_data.erase(account_id=manager.pk, customer_ids=[], today=date(2026, 12, 2))
    mine.refresh_from_db()
    assert (mine.contact_person, mine.email, mine.phone) == ("", "", "")
    assert mine.company_name == "Zarządca"  # the company is not the person
    assert ManagerApplication.objects.get(nip="5260250274").email == "ewa@inny.example"
    assert set(LoginLock.objects.values_list("key", flat=True)) == {
        f"user:{ledger['owner'].pk}",
        "login:ktos-nieznany",
    }
    assert User.objects.filter(pk=manager.pk).exists()


def test_a_refused_application_goes_a_year_after_and_an_accepted_one_stays(ledger):
    from billing.models import ManagerApplication
    from core import personal_data

    refused = ManagerApplication.objects.create(
        company_name="A",
        nip="7251801126",
        contact_person="A",
        email="a@a.example",
        addresses="x",
        status="rejected",
    )
    accepted = ManagerApplication.objects.create(
        company_name="B",
        nip="5260250274",
        contact_person="B",
        email="b@b.example",
        addresses="y",
        status="approved",
    )
    made = timezone.localdate(refused.created_at)
    personal_data.apply_retention(made + timedelta(days=365))
    assert ManagerApplication.objects.filter(pk=refused.pk).exists()  # its last day
    report = personal_data.apply_retention(made + timedelta(days=366))
    assert report["billing.ManagerApplication"]["deleted"] == 1
    assert not ManagerApplication.objects.filter(pk=refused.pk).exists()
    assert ManagerApplication.objects.filter(pk=accepted.pk).exists()
