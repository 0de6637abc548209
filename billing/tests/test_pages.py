"""The customer's pages: own rows only, modules per tenant, refusals, forms."""

import pytest
from django.db import connection

from billing.models import BalanceConfirmation, EInvoiceConsent
from identity.models import ConsentRecord
from identity.services import document_publish, user_create
from tenants.services import tenant_setting_set

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


@pytest.fixture
def all_modules(tenants, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a,
            key="modules",
            actor="t",
            value=[
                "charges",
                "invoices",
                "payments_received",
                "settlements",
                "balance_confirmation",
                "premises",
                "contracts",
                "e_invoice",
                "membership",
                "debt_collection",
            ],
        )
    connection.set_tenant(tenants.a)


def test_dashboard_answers_how_much_and_what_is_waiting(client, ledger):
    client.force_login(ledger["owner"])
    page = client.get("/", HTTP_HOST=HOST).content.decode()
    assert "<h1>Witaj, L0000001.</h1>" in page  # the account has no name: its login
    assert "200,00\u00a0zł" in page  # 650 charged - 450 paid
    assert "Potwierdź saldo" in page  # a balance confirmation is pending
    assert "999,99" not in page  # the neighbour's charge


def test_invoice_page_lists_only_own_invoices(client, ledger, all_modules):
    client.force_login(ledger["owner"])
    page = client.get("/invoices/", HTTP_HOST=HOST).content.decode()
    assert "FV/1/2026" in page
    assert "FV/2/2026" not in page


def test_lists_page_by_keyset_without_counting_and_lose_no_row(client, ledger, all_modules):
    """60 invoices of one customer on 25-row pages: every invoice once, newest first, and no
    page counts the list or skips rows by OFFSET (the cost of page 1,000 is the cost of page 1)."""
    import re

    from django.test.utils import CaptureQueriesContext

    from billing.importing import import_text

    rows = ["erp_id;number;customer_erp_id;issue_date;due_date;gross"]
    rows += [
        f"FX{n};FX/{n:03d}/2025;K1;2025-{n % 12 + 1:02d}-{n % 28 + 1:02d};2025-12-31;10.00"
        for n in range(59)
    ]
    assert import_text("invoices", "\n".join(rows) + "\n").errors == []
    client.force_login(ledger["owner"])
    seen, link, pages = [], "", 0
    while link is not None:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/invoices/" + link, HTTP_HOST=HOST)
        assert response.status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
        assert "COUNT(" not in sql
        assert "OFFSET 25" not in sql
        assert "OFFSET 50" not in sql
        seen += [invoice.number for invoice in response.context["page"]]
        pages += 1
        found = re.search(r'href="(\?cursor=[^"]+)" rel="next"', response.content.decode())
        link = found.group(1).replace("&amp;", "&") if found else None
    assert pages == 3
    assert len(seen) == len(set(seen)) == 60  # FV/1/2026 of the ledger and the 59 above
    assert "FV/2/2026" not in seen  # the neighbour's
    # A cursor tampered with shows the first page, not an error.
    assert client.get("/invoices/?cursor=AAAA", HTTP_HOST=HOST).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/charges/",
        "/payments/",
        "/settlements/",
        "/balance-confirmation/",
        "/premises/",
        "/membership/",
        "/debt-collection/",
        "/e-invoice/",
    ],
)
def test_every_page_opens_for_the_customer_and_shows_nothing_of_the_neighbour(
    client, ledger, all_modules, url
):
    client.force_login(ledger["owner"])
    response = client.get(url, HTTP_HOST=HOST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "999,99" not in body
    assert "U/2/2020" not in body
    assert "Ewa Sąsiadka" not in body
    assert "777,77" not in body  # the neighbour's deposit
    assert "WM-222" not in body  # the neighbour's meter


def test_a_module_the_tenant_switched_off_is_refused(client, ledger):
    client.force_login(ledger["owner"])
    assert client.get("/invoices/", HTTP_HOST=HOST).status_code == 403  # preset A has no invoices
    assert client.get("/charges/", HTTP_HOST=HOST).status_code == 200


def test_staff_and_anonymous_visitors(client, ledger, all_modules):
    assert client.get("/charges/", HTTP_HOST=HOST)["Location"].startswith("/login/")
    client.force_login(user_create(login="ksiegowa", password="x", role="accountant"))
    assert client.get("/charges/", HTTP_HOST=HOST).status_code == 403


def test_session_of_tenant_a_opens_nothing_on_tenant_b(client, ledger, tenants):
    client.force_login(ledger["owner"])
    assert client.get("/charges/", HTTP_HOST="beta.localhost")["Location"].startswith("/login/")


def test_balance_dispute_needs_a_comment_and_is_recorded(client, ledger):
    client.force_login(ledger["owner"])
    own = BalanceConfirmation.objects.get(erp_id="B1")
    client.post(f"/balance-confirmation/{own.pk}/dispute/", {"comment": ""}, HTTP_HOST=HOST)
    own.refresh_from_db()
    assert own.status == "pending"
    client.post(
        f"/balance-confirmation/{own.pk}/dispute/", {"comment": "Brak wpłaty"}, HTTP_HOST=HOST
    )
    own.refresh_from_db()
    assert (own.status, own.comment) == ("disputed", "Brak wpłaty")
    other = BalanceConfirmation.objects.get(erp_id="B2")
    client.post(f"/balance-confirmation/{other.pk}/confirm/", HTTP_HOST=HOST)
    other.refresh_from_db()
    assert other.status == "pending"


def test_einvoice_page_switches_consent_on_and_off(client, ledger, all_modules):
    client.force_login(ledger["owner"])
    bad = client.post("/e-invoice/", {"email": "nie-email"}, HTTP_HOST=HOST)
    assert bad.status_code == 400
    unconfirmed = client.post("/e-invoice/", {"email": "jan@example.com"}, HTTP_HOST=HOST)
    assert unconfirmed.status_code == 400
    assert "Podaj aktualne hasło, aby potwierdzić tę zmianę." in unconfirmed.content.decode()
    assert not EInvoiceConsent.objects.filter(customer__erp_id="K1", active=True).exists()
    client.post(
        "/e-invoice/",
        {"email": "jan@example.com", "current_password": "RyBa18$05"},
        HTTP_HOST=HOST,
    )
    consent = EInvoiceConsent.objects.get(customer__erp_id="K1")
    assert (consent.active, consent.email) == (True, "jan@example.com")
    client.post("/e-invoice/", {"action": "withdraw"}, HTTP_HOST=HOST)
    consent.refresh_from_db()
    assert consent.active is False
    assert "Wycofano zgodę" in client.get("/e-invoice/", HTTP_HOST=HOST).content.decode()
    # kept as every consent is: the wording's version, the privacy notice, the channel, per
    # customer, in the person's one history of consents
    records = list(ConsentRecord.objects.filter(user=ledger["owner"]).order_by("id"))
    assert [(r.purpose, r.subject, r.granted, r.channel) for r in records] == [
        ("e_invoice", "L0000001", True, "portal"),
        ("e_invoice", "L0000001", False, "portal"),
    ]
    assert records[0].text is None
    assert records[0].text_version == 0
    history = client.get("/account/consents/", HTTP_HOST=HOST).content.decode()
    assert "Faktury e-mailem (e-faktura) (L0000001)" in history


def test_the_einvoice_consent_names_the_organisations_wording(client, ledger, all_modules):
    wording = document_publish(kind="e_invoice_consent", title="Zgoda na e-fakturę", body="…")
    notice = document_publish(kind="privacy_notice", title="Klauzula", body="…")
    client.force_login(ledger["owner"])
    given = client.put(
        "/api/v1/e-invoice",
        {"email": "jan@example.com", "current_password": "RyBa18$05"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert given.status_code == 200
    record = ConsentRecord.objects.get(user=ledger["owner"])
    assert (record.text_id, record.privacy_notice_id, record.channel) == (
        wording.pk,
        notice.pk,
        "api",
    )
    # withdrawing asks for nothing more (the password was needed to give, not to take back)
    assert client.delete("/api/v1/e-invoice", HTTP_HOST=HOST).status_code == 204
    assert ConsentRecord.objects.filter(user=ledger["owner"], granted=False).count() == 1


def test_pages_render_amounts_the_polish_way():
    from decimal import Decimal

    from core.templatetags.ebok_format import money

    assert money(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50\u00a0zł"
    assert money(Decimal("-42.1")) == "−42,10\u00a0zł"
    assert money(Decimal("0")) == "0,00\u00a0zł"


def test_chart_numbers_are_not_localised_in_svg(client, ledger):
    import re

    client.force_login(ledger["owner"])
    page = client.get("/", HTTP_HOST=HOST).content.decode()
    heights = re.findall(r'<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"', page)
    assert heights
    assert all("," not in value for bar in heights for value in bar)


def test_dashboard_query_count_is_bounded_and_independent_of_history(
    client, ledger, django_assert_max_num_queries
):
    """At most 10 statements, the same with years more of invoices, charges and payments (the
    balance and the chart read the monthly totals, not the rows)."""
    from billing.importing import import_text

    client.force_login(ledger["owner"])
    client.get("/", HTTP_HOST=HOST)  # warm: host lookup cached, session stamped
    with django_assert_max_num_queries(10) as few:
        client.get("/", HTTP_HOST=HOST)
    rows = "\n".join(f"X{i};FV/X/{i};K1;2026-03-01;2026-03-15;10.00" for i in range(150))
    import_text("invoices", "erp_id;number;customer_erp_id;issue_date;due_date;gross\n" + rows)
    months = [f"{2010 + i // 12}-{i % 12 + 1:02d}-01" for i in range(180)]
    import_text(
        "charges",
        "erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date\n"
        + "".join(f"H{i};K1;M1;Woda;{m};10.00;{m}\n" for i, m in enumerate(months)),
    )
    import_text(
        "payments-received",
        "erp_id;customer_erp_id;paid_on;amount\n"
        + "".join(f"HP{i};K1;{m};10.00\n" for i, m in enumerate(months)),
    )
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get("/", HTTP_HOST=HOST)
    assert len(many.captured_queries) == len(few.captured_queries)
    statements = [q["sql"] for q in many.captured_queries]
    assert not [q for q in statements if "billing_charge" in q]
    # Payments received are listed (the latest three) and looked up by the online payments not
    # yet booked, never summed.
    assert not [q for q in statements if 'SUM("billing_paymentreceived"' in q]
    listed = [q for q in statements if q.startswith('SELECT "billing_paymentreceived".')]
    assert len(listed) == 1
    assert "LIMIT 3" in listed[0]
    assert page.status_code == 200


def test_premises_page_lists_points_of_supply_and_payments_page_the_deposits(
    client, ledger, all_modules
):
    client.force_login(ledger["owner"])
    premises = client.get("/premises/", HTTP_HOST=HOST).content.decode()
    assert "PPE-1" in premises
    assert "WM-111" in premises
    payments = client.get("/payments/", HTTP_HOST=HOST).content.decode()
    assert "Kaucja za wodomierz" in payments
    assert "120,00" in payments
