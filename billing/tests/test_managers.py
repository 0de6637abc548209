"""Property managers see exactly their granted premises: the authorization matrix over the
customer-data API, refused writes, and a hypothesis property over random grants."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import selectors
from billing.importing import import_text
from billing.models import Charge, Customer, EInvoiceConsent, Premises
from billing.services import (
    customer_account_attach,
    grant_create,
    grant_revoke,
    manager_company_create,
)
from identity.services import user_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
TODAY = timezone.localdate()


@pytest.fixture
def estate(tenants):
    """K1 owns M1 and M2, K2 owns M3; charges, invoices, payments and contracts on each."""
    connection.set_tenant(tenants.a)
    files = {
        "customers": "erp_id;symbol;kind;name\nK1;L0000001;individual;Jan Dwalokale\nK2;L0000002;individual;Ewa Jednolokalowa\n",
        "premises": "erp_id;kind;street;building_no;flat_no;city\nM1;residential;Leśna;1;1;X\nM2;residential;Leśna;1;2;X\nM3;residential;Polna;2;1;X\n",
        "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\nT1;K1;M1;2020-01-01\nT2;K1;M2;2020-01-01\nT3;K2;M3;2020-01-01\n",
        "contracts": "erp_id;number;customer_erp_id;kind;status\nU1;U1;K1;housing;active\nU2;U2;K1;housing;active\nU3;U3;K2;housing;active\n",
        "service-points": "erp_id;code;premises_erp_id;contract_erp_id\nS1;S1;M1;U1\nS2;S2;M2;U2\nS3;S3;M3;U3\n",
        "charges": "erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date\n"
        "C1;K1;M1;Eksploatacja;2026-01-01;100.00;2026-01-10\nC2;K1;M2;Eksploatacja;2026-01-01;200.00;2026-01-10\n"
        "C3;K2;M3;Eksploatacja;2026-01-01;300.00;2026-01-10\nC4;K1;;Opłata ogólna;2026-01-01;50.00;2026-01-10\n",
        "invoices": "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross\n"
        "F1;F1;K1;M1;2026-01-01;2026-01-10;100.00\nF2;F2;K1;M2;2026-01-01;2026-01-10;200.00\nF3;F3;K2;M3;2026-01-01;2026-01-10;300.00\n",
        "payments-received": "erp_id;customer_erp_id;premises_erp_id;paid_on;amount\n"
        "P1;K1;M1;2026-01-05;60.00\nP2;K1;M2;2026-01-05;100.00\nP3;K2;M3;2026-01-05;300.00\n",
    }
    for entity, payload in files.items():
        assert import_text(entity, payload).errors == [], entity
    premises = {p.erp_id: p.pk for p in Premises.objects.all()}
    owner = user_create(login="L0000001", password="x")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=owner)

    def manager(login, premises_codes, *, valid_to=None, nip):
        user = user_create(login=login, password="x", role="manager")
        company = manager_company_create(name=f"Zarządca {login}", nip=nip, users=[user])
        grant_create(
            company=company,
            premises_ids=[premises[c] for c in premises_codes],
            valid_from=TODAY - timedelta(days=30),
            valid_to=valid_to,
            actor="test",
        )
        return user

    return {
        "customer": owner,
        "full": manager("zarzadca-pelny", ["M1", "M2"], nip="5260250274"),
        "partial": manager("zarzadca-czesc", ["M1"], nip="7251801126"),
        "expired": manager(
            "zarzadca-stary", ["M3"], valid_to=TODAY - timedelta(days=1), nip="5213017228"
        ),
        "staff": user_create(login="ksiegowa", password="x", role="accountant"),
        "premises": premises,
    }


def _rows(client, user, path, key):
    client.force_login(user)
    body = client.get(f"/api/v1/{path}", HTTP_HOST=HOST).json()
    return sorted(str(row[key]) for row in body["results"])


EXPECTED = {
    # actor: (charges by component+amount, invoices, payments, contracts, premises flats, balance)
    "customer": (
        ["100.00", "200.00", "50.00"],
        ["F1", "F2"],
        ["100.00", "60.00"],
        ["U1", "U2"],
        ["1", "2"],
        "190.00",
    ),
    "full": (
        ["100.00", "200.00"],
        ["F1", "F2"],
        ["100.00", "60.00"],
        ["U1", "U2"],
        ["1", "2"],
        "140.00",
    ),
    "partial": (["100.00"], ["F1"], ["60.00"], ["U1"], ["1"], "40.00"),
    "expired": ([], [], [], [], [], "0.00"),
    "staff": (
        ["100.00", "200.00", "300.00", "50.00"],
        ["F1", "F2", "F3"],
        ["100.00", "300.00", "60.00"],
        ["U1", "U2", "U3"],
        ["1", "1", "2"],
        "190.00",
    ),
}


@pytest.mark.parametrize("actor", list(EXPECTED))
def test_each_actor_sees_exactly_the_expected_rows_and_totals(client, estate, actor):
    charges, invoices, payments, contracts, flats, balance = EXPECTED[actor]
    user = estate[actor]
    assert _rows(client, user, "charges", "amount") == charges
    assert _rows(client, user, "invoices", "number") == invoices
    assert _rows(client, user, "payments-received", "amount") == payments
    assert _rows(client, user, "contracts", "number") == contracts
    assert _rows(client, user, "premises", "flat_no") == flats
    assert client.get("/api/v1/balance", HTTP_HOST=HOST).json()["balance"] == balance


def test_other_tenants_manager_sees_nothing_of_tenant_a(client, estate, tenants):
    connection.set_tenant(tenants.b)
    user = user_create(login="zarzadca-obcy", password="x", role="manager")
    manager_company_create(name="Obcy", nip="5260250274", users=[user])
    client.force_login(user)
    for path in ("charges", "invoices", "payments-received", "premises", "contracts"):
        assert client.get(f"/api/v1/{path}", HTTP_HOST="beta.localhost").json()["results"] == []
    assert (
        client.get("/api/v1/charges", HTTP_HOST=HOST).status_code == 401
    )  # A's host: not its session


def test_partial_manager_cannot_switch_einvoice_and_nothing_changes(client, estate):
    k1 = Customer.objects.get(erp_id="K1").pk
    client.force_login(estate["partial"])
    refused = client.put(
        f"/api/v1/e-invoice?customer={k1}",
        {"email": "x@example.com"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed")
    assert not EInvoiceConsent.objects.filter(customer_id=k1, active=True).exists()
    assert client.get("/api/v1/balance-confirmations", HTTP_HOST=HOST).json()["results"] == []
    client.force_login(estate["full"])
    allowed = client.put(
        f"/api/v1/e-invoice?customer={k1}",
        {"email": "x@example.com"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert allowed.status_code == 200


def test_revoked_grant_hides_the_premises(client, estate):
    from billing.models import GrantEvent, PremisesGrant

    grant = PremisesGrant.objects.get(company__members__user=estate["partial"])
    grant_revoke(grant=grant, actor="ksiegowa")
    assert _rows(client, estate["partial"], "charges", "amount") == []
    assert list(GrantEvent.objects.filter(grant=grant).values_list("action", flat=True)) == [
        "revoked",
        "granted",
    ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grants=st.lists(
        st.tuples(
            st.sampled_from(["M1", "M2", "M3"]),
            st.sampled_from(["active", "expired", "future", "revoked"]),
        ),
        max_size=5,
    )
)
def test_visible_premises_are_the_union_of_active_grants_and_totals_follow(estate, grants):
    with transaction.atomic():
        user = user_create(login="zarzadca-losowy", password="x", role="manager")
        company = manager_company_create(name="Losowy", nip="9492107026", users=[user])
        active = set()
        for code, state in grants:
            start = TODAY + timedelta(days=5) if state == "future" else TODAY - timedelta(days=10)
            end = TODAY - timedelta(days=1) if state == "expired" else None
            (grant,) = grant_create(
                company=company,
                premises_ids=[estate["premises"][code]],
                valid_from=start,
                valid_to=end,
                actor="test",
            )
            if state == "revoked":
                grant_revoke(grant=grant, actor="test")
            elif state == "active":
                active.add(estate["premises"][code])
        assert set(selectors.premises_list(actor=user).values_list("pk", flat=True)) == active
        expected_total = sum(
            (c.amount for c in Charge.objects.filter(premises_id__in=active)), Decimal("0.00")
        )
        assert selectors.balance(actor=user).charged == expected_total
        transaction.set_rollback(True)


def test_manager_switches_to_one_customer_and_back(
    client, estate, tenants, django_capture_on_commit_callbacks
):
    from tenants.services import tenant_setting_set

    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a, key="modules", actor="t", value=["charges", "e_invoice"]
        )
    connection.set_tenant(tenants.a)
    user = user_create(login="zarzadca-dwaj", password="x", role="manager")
    company = manager_company_create(name="Dwaj", nip="1181764370", users=[user])
    grant_create(
        company=company,
        premises_ids=[estate["premises"]["M1"], estate["premises"]["M3"]],
        valid_from=TODAY,
        actor="test",
    )
    client.force_login(user)
    page = client.get("/charges/", HTTP_HOST=HOST).content.decode()
    assert "Ewa Jednolokalowa" in page  # the switcher lists both customers
    assert "300,00" in page
    assert "100,00" in page
    k2 = Customer.objects.get(erp_id="K2").pk
    client.post("/switch/", {"customer": str(k2), "next": "/charges/"}, HTTP_HOST=HOST)
    focused = client.get("/charges/", HTTP_HOST=HOST).content.decode()
    assert "300,00" in focused
    assert "100,00" not in focused
    client.post("/switch/", {"customer": "", "next": "/charges/"}, HTTP_HOST=HOST)
    assert "100,00" in client.get("/charges/", HTTP_HOST=HOST).content.decode()
    # focusing on a customer it does not manage shows it nothing more
    client.post("/switch/", {"customer": "999999"}, HTTP_HOST=HOST)
    assert "300,00" in client.get("/charges/", HTTP_HOST=HOST).content.decode()


def test_einvoice_page_does_not_offer_what_a_partial_manager_may_not_do(
    client, estate, tenants, django_capture_on_commit_callbacks
):
    from tenants.services import tenant_setting_set

    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a, key="modules", actor="t", value=["charges", "e_invoice"]
        )
    connection.set_tenant(tenants.a)
    client.force_login(estate["partial"])
    page = client.get("/e-invoice/", HTTP_HOST=HOST).content.decode()
    assert 'name="email"' not in page
    assert client.post("/e-invoice/", {"email": "x@example.com"}, HTTP_HOST=HOST).status_code == 403
    client.force_login(estate["full"])
    assert 'name="email"' in client.get("/e-invoice/", HTTP_HOST=HOST).content.decode()
