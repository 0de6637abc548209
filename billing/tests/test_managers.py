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
    grant_create,
    grant_revoke,
    manager_company_create,
)
from identity.services import user_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
TODAY = timezone.localdate()


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
    """B's manager holds grants in B on premises with the same ids as A's granted ones; it sees
    exactly B's rows on B's host, and its session is nobody on A's host."""
    from billing.importing import import_text

    a_ids = {}
    client.force_login(estate["full"])
    for path in ("charges", "invoices", "payments-received", "premises", "contracts"):
        a_ids[path] = {
            r["id"] for r in client.get(f"/api/v1/{path}", HTTP_HOST=HOST).json()["results"]
        }
        assert a_ids[path], path

    connection.set_tenant(tenants.b)
    files = {
        "customers": "erp_id;symbol;kind;name\nK1;B0000001;individual;Beta Jeden\n",
        "premises": "erp_id;kind;street;building_no;flat_no;city\nM1;residential;Betowa;1;1;B\nM2;residential;Betowa;1;2;B\n",
        "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\nT1;K1;M1;2020-01-01\nT2;K1;M2;2020-01-01\n",
        "contracts": "erp_id;number;customer_erp_id;kind;status\nU1;B-U1;K1;housing;active\nU2;B-U2;K1;housing;active\n",
        "service-points": "erp_id;code;premises_erp_id;contract_erp_id\nS1;BS1;M1;U1\nS2;BS2;M2;U2\n",
        "charges": "erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date\nC1;K1;M1;Eksploatacja;2026-01-01;901.00;2026-01-10\n",
        "invoices": "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross\nF1;B-F1;K1;M1;2026-01-01;2026-01-10;901.00\n",
        "payments-received": "erp_id;customer_erp_id;premises_erp_id;paid_on;amount\nP1;K1;M1;2026-01-05;901.00\n",
    }
    for entity, payload in files.items():
        assert import_text(entity, payload).errors == [], entity
    user = user_create(login="zarzadca-obcy", password="x", role="manager")
    company = manager_company_create(name="Obcy", nip="5260250274", users=[user])
    from billing.models import Premises

    grant_create(
        company=company,
        premises_ids=[Premises.objects.get(erp_id="M1").pk],
        valid_from=timezone.localdate() - timedelta(days=1),
        actor="test",
    )
    client.force_login(user)
    for path in ("charges", "invoices", "payments-received", "premises"):
        rows = client.get(f"/api/v1/{path}", HTTP_HOST="beta.localhost").json()["results"]
        assert len(rows) == 1, path  # B's one granted flat and what is on it
        assert "Leśna" not in str(rows)
        assert "F1" not in [r.get("number") for r in rows]
    assert client.get("/api/v1/charges", HTTP_HOST=HOST).status_code == 401  # A's host: nobody


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
        {"email": "x@example.com", "current_password": "x"},  # the manager's own password
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


def test_manager_switches_to_one_customer_and_back(client, estate, set_modules):
    set_modules("charges", "e_invoice")
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
    client, estate, set_modules
):
    set_modules("charges", "e_invoice")
    client.force_login(estate["partial"])
    page = client.get("/e-invoice/", HTTP_HOST=HOST).content.decode()
    assert 'name="email"' not in page
    assert client.post("/e-invoice/", {"email": "x@example.com"}, HTTP_HOST=HOST).status_code == 403
    client.force_login(estate["full"])
    assert 'name="email"' in client.get("/e-invoice/", HTTP_HOST=HOST).content.decode()


PAGE_AMOUNTS = {
    # actor: amounts (Polish format) the charges page must show, and those it must not
    "customer": ({"100,00", "200,00", "50,00"}, {"300,00"}),
    "full": ({"100,00", "200,00"}, {"300,00", "50,00"}),
    "partial": ({"100,00"}, {"200,00", "300,00", "50,00"}),
    "expired": (set(), {"100,00", "200,00", "300,00", "50,00"}),
}


@pytest.mark.parametrize("actor", list(PAGE_AMOUNTS))
def test_pages_and_documents_show_each_actor_exactly_its_rows(client, estate, actor, set_modules):
    from billing.models import Invoice

    set_modules("charges", "invoices", "payments_received")
    shown, hidden = PAGE_AMOUNTS[actor]
    client.force_login(estate[actor])
    page = client.get("/charges/", HTTP_HOST=HOST).content.decode()
    assert all(amount in page for amount in shown)
    assert not any(amount in page for amount in hidden)
    invoices = client.get("/invoices/", HTTP_HOST=HOST).content.decode()
    visible = set(EXPECTED[actor][1])
    for invoice in Invoice.objects.all():
        status = 200 if invoice.number in visible else 404
        assert client.get(f"/invoices/{invoice.pk}/pdf", HTTP_HOST=HOST).status_code == status
        assert client.get(f"/api/v1/invoices/{invoice.pk}/pdf", HTTP_HOST=HOST).status_code == (
            status
        )
        assert (f">{invoice.number}<" in invoices) == (invoice.number in visible)
    payments = client.get("/payments/", HTTP_HOST=HOST).content.decode()
    for amount in ("60,00", "100,00", "300,00"):
        assert (amount in payments) == (amount.replace(",", ".") in EXPECTED[actor][2])
    balance = EXPECTED[actor][5].replace(".", ",")
    assert balance in client.get("/dashboard/", HTTP_HOST=HOST).content.decode()


def test_balance_confirmation_answers_follow_full_coverage(client, estate):
    from billing.models import BalanceConfirmation

    assert (
        import_text(
            "balance-confirmations", "erp_id;customer_erp_id;as_of;amount\nB1;K1;2025-12-31;0.00\n"
        ).errors
        == []
    )
    confirmation = BalanceConfirmation.objects.get(erp_id="B1")
    for actor in ("partial", "expired"):
        client.force_login(estate[actor])
        refused = client.post(
            f"/api/v1/balance-confirmations/{confirmation.pk}/confirm",
            content_type="application/json",
            HTTP_HOST=HOST,
        )
        assert refused.status_code == 404
        confirmation.refresh_from_db()
        assert confirmation.status == BalanceConfirmation.Status.PENDING
    client.force_login(estate["full"])
    done = client.post(
        f"/api/v1/balance-confirmations/{confirmation.pk}/confirm",
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert done.status_code == 200
    confirmation.refresh_from_db()
    assert confirmation.status != BalanceConfirmation.Status.PENDING


def test_api_focus_narrows_a_managers_lists_and_totals(client, estate):
    user = user_create(login="zarzadca-api", password="x", role="manager")
    company = manager_company_create(name="Api", nip="1234563218", users=[user])
    grant_create(
        company=company,
        premises_ids=[estate["premises"]["M1"], estate["premises"]["M3"]],
        valid_from=TODAY,
        actor="test",
    )
    k2 = Customer.objects.get(erp_id="K2").pk
    client.force_login(user)
    assert _rows(client, user, "charges", "amount") == ["100.00", "300.00"]
    focused = client.get(f"/api/v1/charges?customer={k2}", HTTP_HOST=HOST).json()["results"]
    assert [row["amount"] for row in focused] == ["300.00"]
    balance = client.get(f"/api/v1/balance?customer={k2}", HTTP_HOST=HOST).json()
    assert (balance["charged"], balance["paid"]) == ("300.00", "300.00")
    bad = client.get("/api/v1/charges?customer=abc", HTTP_HOST=HOST)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
    other = client.get(f"/api/v1/invoices?customer={k2 + 1000}", HTTP_HOST=HOST)
    assert other.status_code == 404
    # a building focus never widens: M1 and M2 share a building, only M1 is granted
    from billing.models import Building

    building = Building.objects.create(erp_id="B-L1", street="Leśna", building_no="1", city="X")
    Premises.objects.filter(erp_id__in=["M1", "M2"]).update(building=building)
    rows = client.get(f"/api/v1/premises?building={building.pk}", HTTP_HOST=HOST).json()
    assert [row["flat_no"] for row in rows["results"]] == ["1"]
    charges = client.get(f"/api/v1/charges?building={building.pk}", HTTP_HOST=HOST).json()
    assert [row["amount"] for row in charges["results"]] == ["100.00"]


def test_settlements_follow_the_granted_premises(client, estate):
    payload = (
        "erp_id;customer_erp_id;premises_erp_id;kind;period_from;period_to;amount;issued_on\n"
        "R1;K1;M1;Woda;2025-01-01;2025-12-31;-10.00;2026-01-20\n"
        "R2;K1;M2;Woda;2025-01-01;2025-12-31;-20.00;2026-01-20\n"
        "R3;K2;M3;Woda;2025-01-01;2025-12-31;-30.00;2026-01-20\n"
        "R4;K1;;Fundusz;2025-01-01;2025-12-31;-40.00;2026-01-20\n"
    )
    assert import_text("settlements", payload).errors == []
    expected = {
        "customer": ["-10.00", "-20.00", "-40.00"],
        "full": ["-10.00", "-20.00"],
        "partial": ["-10.00"],
        "expired": [],
        "staff": ["-10.00", "-20.00", "-30.00", "-40.00"],
    }
    for actor, amounts in expected.items():
        assert _rows(client, estate[actor], "settlements", "amount") == amounts, actor


def test_notes_are_documents_scoped_like_invoices(client, estate, set_modules):
    from billing.models import Invoice

    set_modules("invoices")
    header = "erp_id;number;kind;customer_erp_id;premises_erp_id;issue_date;due_date;gross\n"
    refused = import_text("invoices", header + "N0;NO/0;memo;K1;M1;2026-02-01;2026-02-10;5.00\n")
    assert [e["code"] for e in refused.errors] == ["invalid_choice"]
    assert not Invoice.objects.filter(erp_id="N0").exists()
    notes = (
        "N1;NO/1/2026;interest_note;K1;M1;2026-02-01;2026-02-10;7.50\n"
        "N2;NO/2/2026;debit_note;K1;M2;2026-02-01;2026-02-10;9.00\n"
    )
    assert import_text("invoices", header + notes).errors == []
    assert _rows(client, estate["partial"], "invoices", "number") == ["F1", "NO/1/2026"]
    rows = client.get("/api/v1/invoices", HTTP_HOST=HOST).json()["results"]
    assert {row["number"]: row["kind"] for row in rows}["NO/1/2026"] == "interest_note"
    assert _rows(client, estate["full"], "invoices", "number") == [
        "F1",
        "F2",
        "NO/1/2026",
        "NO/2/2026",
    ]
    page = client.get("/invoices/", HTTP_HOST=HOST).content.decode()
    assert "Nota odsetkowa" in page
    assert "Nota obciążeniowa" in page


def test_einvoice_of_a_manager_of_several_customers_names_each_customer(
    client, estate, set_modules
):
    """#12 item 12: "everything I manage" showed one e-invoice panel without saying whose it
    was (the first customer's); a change went to that customer whatever the manager meant."""

    set_modules("charges", "e_invoice")
    user = user_create(login="zarzadca-dwa", password="Zarzad2026x", role="manager")
    company = manager_company_create(name="Zarządca Dwa", nip="9542751368", users=[user])
    grant_create(
        company=company,
        premises_ids=[estate["premises"][code] for code in ("M1", "M2", "M3")],
        valid_from=timezone.localdate(),
        actor="test",
    )
    client.force_login(user)
    page = client.get("/e-invoice/", HTTP_HOST=HOST).content.decode()
    assert "Jan Dwalokale (L0000001)" in page
    assert "Ewa Jednolokalowa (L0000002)" in page
    k2 = Customer.objects.get(erp_id="K2").pk
    done = client.post(
        "/e-invoice/",
        {
            "customer": str(k2),
            "email": "faktury@zarzadca.example",
            "current_password": "Zarzad2026x",
        },
        HTTP_HOST=HOST,
    )
    assert done.status_code == 302
    assert list(EInvoiceConsent.objects.values_list("customer_id", "email")) == [
        (k2, "faktury@zarzadca.example")
    ]
    stranger = client.post(
        "/e-invoice/",
        {"customer": "999999", "email": "x@example.com", "current_password": "Zarzad2026x"},
        HTTP_HOST=HOST,
    )
    assert stranger.status_code == 404
    assert EInvoiceConsent.objects.count() == 1
