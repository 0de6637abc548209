"""The office's reports: accounts by state, registrations, logins and e-invoice adoption, each
figure counted right (the week's boundaries on both sides, in the tenant's time zone), shown
as a chart with a table and as CSV; for the administrator and the accountant only; another
tenant's figures never counted."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from billing import reports
from billing.models import Customer, EInvoiceConsent, EInvoiceConsentEvent
from billing.tests.conftest import ledger  # noqa: F401 - the fixture
from identity.models import AuthEvent, LoginLock, RegistrationRequest, User
from identity.services import user_create
from identity.tests.conftest import login_verified_staff
from tenants.models import Tenant

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def _rows(report) -> dict:
    return {row[0]: row[1:] for row in report.rows}


def test_accounts_by_state(ledger):  # noqa: F811
    owner, neighbour = ledger["owner"], ledger["neighbour"]
    User.objects.filter(pk=owner.pk).update(last_login=timezone.now())
    User.objects.filter(pk=neighbour.pk).update(is_active=False)
    fresh = user_create(login="nowy", password="x", must_change_password=True)
    LoginLock.objects.create(key=f"user:{fresh.pk}", failures=5, locked_at=timezone.now())
    figures = [row[1] for row in reports.accounts_by_state().rows]
    assert figures == [1, 1, 1, 1, 1]  # active, never, must change, locked, blocked


def test_registrations_and_logins_by_week_with_the_weeks_edges(ledger, tenants):  # noqa: F811
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    first_monday = monday - timedelta(weeks=reports.WEEKS - 1)
    edge = timezone.make_aware(datetime.combine(first_monday, time.min))
    owner = ledger["owner"]
    for at in (edge, edge - timedelta(seconds=1), timezone.now()):
        event = AuthEvent.objects.create(kind="login_succeeded", user=owner, login="x")
        AuthEvent.objects.filter(pk=event.pk).update(created_at=at)
    AuthEvent.objects.create(kind="login_failed", login="x")
    AuthEvent.objects.create(kind="login_succeeded", user=ledger["neighbour"], login="y")
    logins = _rows(reports.logins_by_week())
    assert logins[first_monday] == (1, 1, 0)  # the second before the first week is not counted
    assert logins[monday] == (2, 2, 1)
    assert sum(row[0] for row in logins.values()) == 3
    RegistrationRequest.objects.create(flow="A", email="a@example.com")
    RegistrationRequest.objects.create(flow="A", email="b@example.com", status="completed")
    registrations = _rows(reports.registrations_by_week())
    assert registrations[monday][:2] == (2, 1)
    assert registrations[monday][2] >= 2  # the ledger's two accounts, opened now
    connection.set_tenant(tenants.b)
    AuthEvent.objects.create(kind="login_succeeded", login="b")
    connection.set_tenant(tenants.a)
    assert _rows(reports.logins_by_week())[monday] == (2, 2, 1)


def test_einvoice_adoption(ledger):  # noqa: F811
    jan = Customer.objects.get(erp_id="K1")
    EInvoiceConsent.objects.create(customer=jan, active=True, email="j@example.com")
    EInvoiceConsentEvent.objects.create(customer=jan, action="activated", email="j@example.com")
    report = reports.einvoice_adoption()
    assert "1 z 2" in str(report.title) or "1 of 2" in str(report.title)
    assert "50%" in str(report.title)
    this_month = timezone.localdate().replace(day=1)
    assert _rows(report)[this_month] == (1, 0)


def test_the_page_and_csv_for_admin_and_accountant_only(ledger, tenants):  # noqa: F811
    for role, allowed in (
        ("tenant_admin", True),
        ("accountant", True),
        ("customer_service", False),
    ):
        user = user_create(login=f"{role}-r", password="BiUr42#ok", role=role)
        client = Client()
        login_verified_staff(client, HOST, user, "BiUr42#ok")
        page = client.get("/office/reports/", HTTP_HOST=HOST)
        assert page.status_code == (200 if allowed else 403), role
        if allowed:
            html = page.content.decode()
            offers_einvoice = Tenant.objects.get(pk=tenants.a.pk).configuration.has_module(
                "e_invoice"
            )
            assert html.count('<svg class="bar-chart"') == 2 + offers_einvoice
            csv = client.get("/office/reports/logins.csv", HTTP_HOST=HOST)
            assert csv.content.decode("utf-8-sig").splitlines()[0].count(";") == 3
            assert client.get("/office/reports/nonsense.csv", HTTP_HOST=HOST).status_code == 404
