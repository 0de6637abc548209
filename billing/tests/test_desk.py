"""The office's desk: the search page, the customer card and its panels (for a customer with an
account, one covered by a manager, a blocked one, one without an account), who sees the money,
opening a card recorded, and acting from the card (contact data corrected with old and new
values and the clerk, blocking that ends the session and the API token at once, unblocking)."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client

from billing.models import Customer, Premises
from billing.services import grant_create, manager_company_create
from identity.models import AuthEvent, StaffAccess
from identity.services import user_create
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"


def clerk_client(role: str, login_name: str) -> tuple[Client, object]:
    user = user_create(login=login_name, password=PASSWORD, role=role, first_name="Ola")
    client = Client()
    login_verified_staff(client, HOST, user, PASSWORD)
    return client, user


@pytest.fixture
def desk(ledger):
    client, user = clerk_client("customer_service", "obsluga")
    return client


def card_of(client, erp_id: str, **params):
    customer = Customer.objects.get(erp_id=erp_id)
    return client.get(f"/office/customers/{customer.pk}/", params, HTTP_HOST=HOST)


def test_search_page_lists_ranked_results_and_records_the_access(desk, ledger):
    page = desk.get("/office/customers/", {"q": "Testowi"}, HTTP_HOST=HOST)  # one letter off
    assert page.status_code == 200
    html = page.content.decode()
    jan = Customer.objects.get(erp_id="K1")
    assert f'href="/office/customers/{jan.pk}/?q=Testowi"' in html
    assert "Ewa Sąsiadka" not in html
    access = StaffAccess.objects.get(purpose="customer_search", field_group="identity")
    assert StaffAccess.objects.filter(purpose="customer_search", field_group="contact").exists()
    assert (access.customer_id, access.field_group) == (jan.pk, "identity")
    assert "Testowi" in access.reason
    # the search box is on every office page
    assert 'action="/office/customers/"' in desk.get("/office/", HTTP_HOST=HOST).content.decode()


def test_the_search_finds_nothing_quietly_for_nonsense(desk, ledger):
    page = desk.get("/office/customers/", {"q": "Qwzx"}, HTTP_HOST=HOST)
    assert page.status_code == 200
    assert not StaffAccess.objects.filter(purpose="customer_search").exists()


def test_the_card_shows_every_panel_and_records_who_opened_it(desk, ledger):
    page = card_of(desk, "K1", q="Testowy")
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "Jan Testowy",
        "L0000001",
        "*******1359",  # PESEL masked
        "Leśna 1/2",  # premises with the legal title
        "U/1/2020",  # contract
        "FV/1/2026",  # latest invoice
        "luty częściowo",  # latest payment
        'id="panel-account"',
        'id="panel-history"',
    ):
        assert text in html, text
    assert "44051401359" not in html
    jan = Customer.objects.get(erp_id="K1")
    groups = set(
        StaffAccess.objects.filter(purpose="customer_card", customer_id=jan.pk).values_list(
            "field_group", flat=True
        )
    )
    assert groups == {"identity", "contact", "financial"}
    opened = StaffAccess.objects.filter(purpose="customer_card", customer_id=jan.pk)
    assert opened.count() == 3  # one row a group, naming the customer and the account
    assert StaffAccess.objects.filter(
        purpose="customer_card", subject=ledger["owner"], reason__contains="Testowy"
    ).exists()


def test_a_technician_sees_the_card_without_the_money(ledger):
    client, _user = clerk_client("technician", "technik")
    html = card_of(client, "K1").content.decode()
    assert "Jan Testowy" in html
    assert 'id="panel-money"' not in html
    assert "FV/1/2026" not in html
    jan = Customer.objects.get(erp_id="K1")
    assert not StaffAccess.objects.filter(customer_id=jan.pk, field_group="financial").exists()
    # nor may a technician correct contact data
    refused = client.post(
        f"/office/customers/{jan.pk}/contact", {"phone": "600000000"}, HTTP_HOST=HOST
    )
    assert refused.status_code == 403


def test_customers_and_managers_cannot_open_the_desk(ledger):
    customer = Client()
    login(customer, HOST, "L0000001", "RyBa18$05")
    assert customer.get("/office/customers/", {"q": "Jan"}, HTTP_HOST=HOST).status_code == 403
    assert card_of(customer, "K1").status_code == 403


def test_the_card_of_a_customer_covered_by_a_manager_and_of_one_without_an_account(
    desk, ledger, tenants, set_modules
):
    set_modules(*map(str, tenants.a.configuration.modules), "property_managers")
    company = manager_company_create(name="Zarządca Leśna", nip="5260250274", users=[])
    grant_create(
        company=company,
        premises_ids=[Premises.objects.get(erp_id="M1").pk],
        valid_from=date(2020, 1, 1),
        actor="test",
    )
    assert "Zarządca Leśna" in card_of(desk, "K1").content.decode()
    Customer.objects.filter(erp_id="K2").update(user=None)
    html = card_of(desk, "K2").content.decode()
    assert "no account in the portal" in html or "nie ma konta" in html
    assert "Zarządca Leśna" not in html


def test_correcting_the_phone_is_audited_with_old_and_new_values(desk, ledger):
    owner = ledger["owner"]
    owner.phone = "600100200"
    owner.save(update_fields=["phone"])
    jan = Customer.objects.get(erp_id="K1")
    response = desk.post(
        f"/office/customers/{jan.pk}/contact",
        {"phone": "601 222 333", "email": owner.email},
        HTTP_HOST=HOST,
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.phone == "601 222 333"
    event = AuthEvent.objects.get(kind="contact_changed", user=owner)
    assert event.details["actor"] == "obsluga"
    assert event.details["changes"] == {"phone": ["600100200", "601 222 333"]}
    # the history panel says it in words
    html = card_of(desk, "K1").content.decode()
    assert "600100200 → 601 222 333" in html


def test_bad_contact_data_are_refused_with_a_message_and_change_nothing(desk, ledger):
    jan = Customer.objects.get(erp_id="K1")
    response = desk.post(
        f"/office/customers/{jan.pk}/contact",
        {"phone": "abc", "email": "not-an-address", "town": "Lipiny"},
        HTTP_HOST=HOST,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    ledger["owner"].refresh_from_db()
    assert ledger["owner"].phone == ""
    assert not AuthEvent.objects.filter(kind="contact_changed").exists()


def test_an_email_corrected_by_the_office_waits_for_its_owner(desk, ledger):
    jan = Customer.objects.get(erp_id="K1")
    desk.post(
        f"/office/customers/{jan.pk}/contact",
        {"phone": "", "email": "nowy@example.com"},
        HTTP_HOST=HOST,
    )
    owner = ledger["owner"]
    owner.refresh_from_db()
    assert owner.pending_email == "nowy@example.com"
    assert owner.email == ""


def test_blocking_from_the_card_ends_the_session_and_token_at_once(desk, ledger):
    browser = Client()
    assert login(browser, HOST, "L0000001", "RyBa18$05").status_code == 302
    api = Client()
    token = api.post(
        "/api/v1/auth/login",
        {"login": "L0000001", "password": "RyBa18$05"},
        content_type="application/json",
        HTTP_HOST=HOST,
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": HOST}
    assert api.get("/api/v1/me", **auth).status_code == 200
    jan = Customer.objects.get(erp_id="K1")
    card = f"/office/customers/{jan.pk}/"
    response = desk.post(
        f"/office/accounts/{ledger['owner'].pk}/block/",
        {"reason": "Nadużycie", "next": card},
        HTTP_HOST=HOST,
    )
    assert response["Location"] == card
    assert browser.get("/account/", HTTP_HOST=HOST).status_code == 302
    assert api.get("/api/v1/me", **auth).status_code == 401
    html = card_of(desk, "K1").content.decode()
    assert "Nadużycie" in html
    # a next address off the office is not followed
    response = desk.post(
        f"/office/accounts/{ledger['owner'].pk}/unblock/",
        {"next": "https://evil.example/office/"},
        HTTP_HOST=HOST,
    )
    assert response["Location"].startswith("/office/accounts/")
    ledger["owner"].refresh_from_db()
    assert ledger["owner"].is_active


def test_another_tenants_customer_with_the_same_id_is_never_shown(desk, ledger, tenants):
    from billing.importing import import_text

    jan = Customer.objects.get(erp_id="K1")
    connection.set_tenant(tenants.b)
    assert not import_text(
        "customers", "erp_id;symbol;kind;name\nK1;L0000001;individual;Bogdan Betowy\n"
    ).errors
    beta_pk = Customer.objects.get(erp_id="K1").pk
    connection.set_tenant(tenants.a)
    html = desk.get(f"/office/customers/{beta_pk}/", HTTP_HOST=HOST).content.decode()
    assert "Bogdan Betowy" not in html
    assert (
        desk.get("/office/customers/", {"q": "Betowy"}, HTTP_HOST=HOST)
        .content.decode()
        .count("Bogdan")
        == 0
    )
    assert desk.get("/office/customers/999999/", HTTP_HOST=HOST).status_code == 404
    assert jan.pk  # A's own card still opens
    assert card_of(desk, "K1").status_code == 200


def test_the_card_of_a_customer_who_erased_their_contact_data(desk, ledger):
    from identity.services import contact_erase

    owner = ledger["owner"]
    owner.phone = "600100200"
    owner.save(update_fields=["phone"])
    contact_erase(user=owner)
    html = card_of(desk, "K1").content.decode()
    assert "600100200" not in html.split('id="panel-account"')[1].split("</section>")[0]
    assert "Usunięto dane kontaktowe" in html or "Contact data erased" in html
