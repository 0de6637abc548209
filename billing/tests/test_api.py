"""Customer data API: each actor sees exactly its rows; answers and consents; isolation."""

import pytest
from django.db import connection

from billing.models import BalanceConfirmation, Customer, EInvoiceConsentEvent, Invoice
from identity.services import user_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
LISTS = [
    "premises",
    "contracts",
    "charges",
    "invoices",
    "payments-received",
    "settlements",
    "balance-confirmations",
]


def _as(client, user):
    client.force_login(user)
    return client


def _ids(client, path):
    body = client.get(f"/api/v1/{path}", HTTP_HOST=HOST).json()
    return sorted(
        row.get("number") or row.get("component") or row.get("id") for row in body["results"]
    )


def test_customer_sees_only_own_rows(client, ledger):
    _as(client, ledger["owner"])
    invoices = client.get("/api/v1/invoices", HTTP_HOST=HOST).json()
    assert [r["number"] for r in invoices["results"]] == ["FV/1/2026"]
    assert invoices["next"] is None
    assert invoices["results"][0]["gross"] == "350.00"
    assert invoices["results"][0]["is_paid"] is True
    charges = client.get("/api/v1/charges", HTTP_HOST=HOST).json()["results"]
    assert sorted(c["amount"] for c in charges) == ["300.00", "300.00", "50.00"]
    premises = client.get("/api/v1/premises", HTTP_HOST=HOST).json()["results"]
    assert [(p["street"], p["flat_no"]) for p in premises] == [("Leśna", "2")]
    assert [
        p["title"]
        for p in client.get("/api/v1/payments-received", HTTP_HOST=HOST).json()["results"]
    ] == ["luty częściowo", "styczeń"]


def test_balance_is_charges_minus_payments_per_month(client, ledger):
    _as(client, ledger["owner"])
    body = client.get("/api/v1/balance", HTTP_HOST=HOST).json()
    assert (body["charged"], body["paid"], body["balance"]) == ("650.00", "450.00", "200.00")
    assert body["by_month"] == [
        {"period": "2026-02-01", "charged": "300.00", "paid": "100.00", "balance": "200.00"},
        {"period": "2026-01-01", "charged": "350.00", "paid": "350.00", "balance": "0.00"},
    ]


def test_staff_sees_every_customer(client, ledger):
    staff = user_create(login="ksiegowa", password="x", role="accountant")
    _as(client, staff)
    assert _ids(client, "invoices") == ["FV/1/2026", "FV/2/2026"]


@pytest.mark.parametrize("path", [*LISTS, "balance", "e-invoice"])
def test_anonymous_callers_are_refused(client, ledger, path):
    response = client.get(f"/api/v1/{path}", HTTP_HOST=HOST)
    assert response.status_code == 401


@pytest.mark.parametrize("path", LISTS)
def test_other_tenant_sees_nothing_of_tenant_a(client, ledger, tenants, path):
    """B holds the same ERP records (the same erp ids) with other amounts and names, and an
    account with the same login: B's customer sees B's rows, every one of them, and none of A's
    values. (Requests for ids that exist only in B: the authorization matrix, T1.)"""
    import re as regex

    from billing.importing import import_text
    from billing.tests.conftest import FILES

    connection.set_tenant(tenants.a)
    a_rows = _as(client, ledger["owner"]).get(f"/api/v1/{path}", HTTP_HOST=HOST).json()["results"]
    assert a_rows  # A's customer has some: the comparison below means something

    connection.set_tenant(tenants.b)
    for entity, payload in FILES.items():
        # Every amount in B differs from A's by 1000 zł; names, streets, numbers carry B's mark.
        changed = regex.sub(r"(\d+)\.(\d{2})\b", lambda m: f"{int(m[1]) + 1000}.{m[2]}", payload)
        for a_text, b_text in (("Jan Testowy", "Jan Betowy"), ("Leśna", "Betowa"), ("U/", "B/")):
            changed = changed.replace(a_text, b_text)
        assert import_text(entity, changed).errors == []
    stranger = user_create(login="L0000001", password="x")
    from billing.models import Customer
    from billing.services import customer_account_attach

    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=stranger)
    _as(client, stranger)
    b_rows = client.get(f"/api/v1/{path}", HTTP_HOST="beta.localhost").json()["results"]
    assert len(b_rows) == len(a_rows)
    assert b_rows != a_rows  # B's own values
    amounts = {"amount", "gross", "balance"}
    for a_row in a_rows:
        for key in amounts & set(a_row):
            assert all(b_row[key] != a_row[key] for b_row in b_rows), (path, key)


def test_balance_confirmation_answers(client, ledger):
    _as(client, ledger["owner"])
    own = BalanceConfirmation.objects.get(erp_id="B1")
    other = BalanceConfirmation.objects.get(erp_id="B2")
    no_comment = client.post(
        f"/api/v1/balance-confirmations/{own.pk}/dispute",
        {},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert (no_comment.status_code, no_comment.json()["code"]) == (400, "comment_required")
    assert (
        client.post(
            f"/api/v1/balance-confirmations/{other.pk}/confirm",
            content_type="application/json",
            HTTP_HOST=HOST,
        ).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.status == "pending"
    disputed = client.post(
        f"/api/v1/balance-confirmations/{own.pk}/dispute",
        {"comment": "Brak wpłaty z 12.12"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert disputed.json()["status"] == "disputed"
    again = client.post(
        f"/api/v1/balance-confirmations/{own.pk}/confirm",
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert again.status_code == 409


def test_reimport_keeps_the_customers_answer(client, ledger):
    from billing.importing import import_text
    from billing.tests.conftest import FILES

    _as(client, ledger["owner"])
    own = BalanceConfirmation.objects.get(erp_id="B1")
    client.post(
        f"/api/v1/balance-confirmations/{own.pk}/confirm",
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert import_text("balance-confirmations", FILES["balance-confirmations"]).unchanged == 2
    own.refresh_from_db()
    assert own.status == "confirmed"


def test_einvoice_consent_history(client, ledger):
    _as(client, ledger["owner"])
    assert client.get("/api/v1/e-invoice", HTTP_HOST=HOST).json()["active"] is False

    def put(email, password="RyBa18$05"):
        return client.put(
            "/api/v1/e-invoice",
            {"email": email, "current_password": password},
            content_type="application/json",
            HTTP_HOST=HOST,
        )

    assert put("jan@example.com").json()["active"] is True
    # Where the invoices go changes only with the password (SECURITY.md Z3, audit finding 10).
    for password in ("", "zle-haslo"):
        refused = put("atakujacy@example.com", password)
        assert (refused.status_code, refused.json()["code"]) == (400, "wrong_current_password")
        assert list(refused.json()["fields"]) == ["current_password"]
    assert client.get("/api/v1/e-invoice", HTTP_HOST=HOST).json()["email"] == "jan@example.com"
    assert put("jan.nowy@example.com").json()["email"] == "jan.nowy@example.com"
    assert client.delete("/api/v1/e-invoice", HTTP_HOST=HOST).status_code == 204
    customer = Customer.objects.get(erp_id="K1")
    actions = list(
        EInvoiceConsentEvent.objects.filter(customer=customer)
        .order_by("id")
        .values_list("action", "email")
    )
    assert actions == [
        ("activated", "jan@example.com"),
        ("email_changed", "jan.nowy@example.com"),
        ("withdrawn", "jan.nowy@example.com"),
    ]
    neighbour = Customer.objects.get(erp_id="K2")
    assert (
        client.get(f"/api/v1/e-invoice?customer={neighbour.pk}", HTTP_HOST=HOST).status_code == 404
    )
    bad = put("not-an-email")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_invoice_list_query_count_does_not_grow_with_invoices(
    client, ledger, django_assert_max_num_queries
):
    from billing.importing import import_text

    _as(client, ledger["owner"])
    client.get("/api/v1/invoices", HTTP_HOST=HOST)  # warm: host lookup cached, session stamped
    # session, user, the actor's customers, one page of invoices
    with django_assert_max_num_queries(4) as few:
        client.get("/api/v1/invoices", HTTP_HOST=HOST)
    rows = "\n".join(f"X{i};FV/X/{i};K1;2026-03-01;2026-03-15;10.00" for i in range(120))
    import_text("invoices", "erp_id;number;customer_erp_id;issue_date;due_date;gross\n" + rows)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get("/api/v1/invoices", HTTP_HOST=HOST).json()
    assert len(page["results"]) == 50
    assert page["next"]
    assert len(many.captured_queries) == len(few.captured_queries)
    assert Invoice.objects.filter(customer__erp_id="K1").count() == 121
