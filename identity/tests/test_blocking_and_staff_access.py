"""Staff block an account (seed D) and it is logged out at its next request (SECURITY.md S6);
every page that shows staff a customer's personal data records it (G3), and no log line of any
logger carries a PESEL while it happens."""

import logging

import pytest
from django.db import connection
from django.test import Client

from identity.models import AuthEvent, StaffAccess
from identity.services import user_create
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"


@pytest.fixture
def desk(client, staff):
    login_verified_staff(client, HOST, staff, PASSWORD)
    return client


def _token(login_name) -> dict:
    api = Client()
    response = api.post(
        "/api/v1/auth/login",
        {"login": login_name, "password": "RyBa18$05"},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    return api, {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}", "HTTP_HOST": HOST}


def test_a_blocked_account_is_logged_out_at_its_next_request(desk, customer):
    browser = Client()
    assert login(browser, HOST, "L0000001", "RyBa18$05").status_code == 302
    assert browser.get("/account/", HTTP_HOST=HOST).status_code == 200
    api, auth = _token("L0000001")
    assert api.get("/api/v1/me", **auth).status_code == 200

    blocked = desk.post(
        f"/office/accounts/{customer.pk}/block/",
        {"reason": "Utrata tytułu prawnego do lokalu"},
        HTTP_HOST=HOST,
    )
    assert blocked.status_code == 302
    customer.refresh_from_db()
    assert customer.is_active is False
    event = AuthEvent.objects.get(kind="account_blocked", user=customer)
    assert event.details == {"actor": "obsluga", "reason": "Utrata tytułu prawnego do lokalu"}

    page = browser.get("/account/", HTTP_HOST=HOST)
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
    assert api.get("/api/v1/me", **auth).status_code == 401
    # Logging in again answers like a wrong password (nothing tells the account exists).
    assert login(browser, HOST, "L0000001", "RyBa18$05").status_code == 401

    desk.post(f"/office/accounts/{customer.pk}/unblock/", HTTP_HOST=HOST)
    assert login(browser, HOST, "L0000001", "RyBa18$05").status_code == 302
    assert AuthEvent.objects.filter(kind="account_unblocked", user=customer).count() == 1


def test_blocking_needs_a_reason_and_a_customers_or_managers_account(desk, customer, staff):
    no_reason = desk.post(f"/office/accounts/{customer.pk}/block/", {"reason": " "}, HTTP_HOST=HOST)
    assert no_reason.status_code == 302
    customer.refresh_from_db()
    assert customer.is_active is True
    other_staff = user_create(login="ksiegowa", password=PASSWORD, role="accountant")
    for target in (other_staff, staff):  # another staff member, and oneself
        refused = desk.post(f"/office/accounts/{target.pk}/block/", {"reason": "x"}, HTTP_HOST=HOST)
        assert refused.status_code == 404
        target.refresh_from_db()
        assert target.is_active is True
    assert not AuthEvent.objects.filter(kind="account_blocked").exists()


def test_a_customer_cannot_block_anyone(client, customer):
    neighbour = user_create(login="L0000002", password="RyBa18$05", customer_symbol="L0000002")
    client.force_login(customer)
    response = client.post(
        f"/office/accounts/{neighbour.pk}/block/", {"reason": "x"}, HTTP_HOST=HOST
    )
    assert response.status_code == 403
    neighbour.refresh_from_db()
    assert neighbour.is_active is True


def test_tenant_b_accounts_cannot_be_blocked_from_a(desk, tenants):
    connection.set_tenant(tenants.b)
    other = user_create(login="L0000001", password="RyBa18$05")
    connection.set_tenant(tenants.a)
    # The same id in A names nobody blockable (or nobody at all): 404, B untouched.
    response = desk.post(f"/office/accounts/{other.pk}/block/", {"reason": "x"}, HTTP_HOST=HOST)
    assert response.status_code == 404
    connection.set_tenant(tenants.b)
    other.refresh_from_db()
    assert other.is_active is True


def test_showing_accounts_to_staff_is_recorded_and_no_pesel_is_logged(desk, staff, caplog):
    pesel_login = user_create(
        login="97080212274",
        password="RyBa18$05",
        email="michal@example.com",
        first_name="Michał",
        last_name="Grabowski",
    )
    assert not StaffAccess.objects.exists()
    with caplog.at_level(logging.DEBUG):
        page = desk.get("/office/accounts/", {"q": "grabowski"}, HTTP_HOST=HOST)
        desk.get("/office/accounts/", {"q": "97080212274"}, HTTP_HOST=HOST)
    assert page.status_code == 200
    assert "michal@example.com" in page.content.decode()
    rows = list(StaffAccess.objects.values_list("actor", "subject", "field_group", "purpose"))
    assert rows == [(staff.pk, pesel_login.pk, "contact", "account_search")] * 2
    assert "97080212274" not in caplog.text
    nothing = desk.get("/office/accounts/", {"q": "\x00"}, HTTP_HOST=HOST)
    assert nothing.status_code == 200
    assert StaffAccess.objects.count() == 2  # a search that shows nobody records nothing


def test_staff_are_not_asked_to_accept_the_customers_documents(client, staff, customer):
    from identity import selectors
    from identity.services import document_publish

    for kind in selectors.current_config().registration.required_documents:
        document_publish(kind=str(kind), title="Regulamin portalu", body="Treść")
    assert selectors.documents_to_accept(customer)
    assert selectors.documents_to_accept(staff) == []
    login_verified_staff(client, HOST, staff, PASSWORD)
    assert client.get("/office/", HTTP_HOST=HOST).status_code == 200
