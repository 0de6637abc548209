"""Seed D: access ends with the legal title. The daily job tells the owner before, blocks after
the grace period (both sides of each boundary), does each once, leaves accounts with a title
still open and accounts the office unblocked, does nothing where the tenant's policy is off;
staff see who is about to be blocked."""

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from billing.access import accounts_losing_access, legal_titles_enforce
from billing.importing import import_text
from billing.models import Customer
from core.outbox.models import Message
from identity.models import AuthEvent
from identity.services import account_unblock, user_create
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
ENDED = date(2026, 3, 1)  # grace 10 days: told from 9 March, blocked from 12 March


@pytest.fixture
def rule(ledger, set_config):
    set_config(
        access__end_with_legal_title=True,
        access__legal_title_grace_days=10,
        access__legal_title_notice_days=3,
    )
    assert not import_text(
        "legal-titles",
        "erp_id;customer_erp_id;premises_erp_id;valid_from;valid_to\nT1;K1;M1;2020-01-01;2026-03-01\n",
    ).errors
    ledger["owner"].email = "jan@example.com"
    ledger["owner"].save(update_fields=["email"])
    return ledger


def _notices():
    return Message.objects.filter(event="access_ending")


def _told_on(day: date) -> None:
    """The notice was written on ``day`` (the job's runs here are days apart)."""
    at = timezone.make_aware(datetime.combine(day, time(6, 30)))
    _notices().update(created_at=at)


def test_told_before_and_blocked_after_the_grace_each_once(rule):
    owner = rule["owner"]
    assert legal_titles_enforce(date(2026, 3, 8)) == {"told": 0, "blocked": 0}
    assert legal_titles_enforce(date(2026, 3, 9)) == {"told": 1, "blocked": 0}
    _told_on(date(2026, 3, 9))
    assert legal_titles_enforce(date(2026, 3, 10)) == {"told": 0, "blocked": 0}
    assert list(_notices().values_list("user_id", flat=True)) == [owner.pk]
    body = _notices().get().body_text
    assert "01.03.2026" in body
    assert "12.03.2026" in body
    # ten days after the end: still in; eleven: blocked, once
    assert legal_titles_enforce(date(2026, 3, 11))["blocked"] == 0
    owner.refresh_from_db()
    assert owner.is_active
    assert legal_titles_enforce(date(2026, 3, 12)) == {"told": 0, "blocked": 1}
    owner.refresh_from_db()
    assert not owner.is_active
    event = AuthEvent.objects.get(kind="account_blocked", user=owner)
    assert "01.03.2026" in event.details["reason"]
    assert "actor" not in event.details
    assert legal_titles_enforce(date(2026, 3, 13)) == {"told": 0, "blocked": 0}
    assert AuthEvent.objects.filter(kind="account_blocked").count() == 1
    # the neighbour's title is open: never listed
    assert rule["neighbour"].is_active


def test_never_blocked_without_the_notices_days(rule):
    # The rule finds a title that ended long ago: told first, blocked three days later.
    assert legal_titles_enforce(date(2026, 6, 1)) == {"told": 1, "blocked": 0}
    _told_on(date(2026, 6, 1))
    assert legal_titles_enforce(date(2026, 6, 3)) == {"told": 0, "blocked": 0}
    assert legal_titles_enforce(date(2026, 6, 4)) == {"told": 0, "blocked": 1}


def test_an_account_that_cannot_be_told_is_blocked_when_the_grace_ends(rule):
    rule["owner"].email = ""
    rule["owner"].save(update_fields=["email"])
    assert legal_titles_enforce(date(2026, 3, 11)) == {"told": 0, "blocked": 0}
    assert legal_titles_enforce(date(2026, 3, 12)) == {"told": 0, "blocked": 1}


def test_one_title_still_open_keeps_the_account(rule):
    assert not import_text(
        "legal-titles",
        "erp_id;customer_erp_id;premises_erp_id;valid_from\nT9;K1;M2;2026-02-01\n",
    ).errors
    assert accounts_losing_access(date(2026, 4, 1)) == []
    assert legal_titles_enforce(date(2026, 4, 1)) == {"told": 0, "blocked": 0}


def test_an_account_the_office_unblocked_stays_unblocked(rule):
    owner, clerk = rule["owner"], user_create(login="obsluga", password="x", role="tenant_admin")
    legal_titles_enforce(date(2026, 3, 9))
    _told_on(date(2026, 3, 9))
    assert legal_titles_enforce(date(2026, 3, 12))["blocked"] == 1
    owner.refresh_from_db()
    account_unblock(user=owner, actor=clerk)
    owner.refresh_from_db()
    assert legal_titles_enforce(date(2026, 3, 12)) == {"told": 0, "blocked": 0}
    owner.refresh_from_db()
    assert owner.is_active


def test_nothing_where_the_policy_is_off(ledger):
    import_text(
        "legal-titles",
        "erp_id;customer_erp_id;premises_erp_id;valid_from;valid_to\nT1;K1;M1;2020-01-01;2026-03-01\n",
    )
    assert legal_titles_enforce(date(2027, 1, 1)) == {"told": 0, "blocked": 0}
    ledger["owner"].refresh_from_db()
    assert ledger["owner"].is_active


def test_another_tenants_accounts_are_untouched(rule, tenants):
    connection.set_tenant(tenants.b)
    assert not import_text(
        "customers", "erp_id;symbol;kind;name\nK1;L0000001;individual;Beta\n"
    ).errors
    beta = user_create(login="L0000001", password="x")
    Customer.objects.filter(erp_id="K1").update(user=beta)
    connection.set_tenant(tenants.a)
    legal_titles_enforce(date(2026, 3, 12))
    connection.set_tenant(tenants.b)
    beta.refresh_from_db()
    assert beta.is_active
    connection.set_tenant(tenants.a)


def test_staff_see_who_is_about_to_be_blocked(rule):
    legal_titles_enforce(date(2026, 3, 9))
    _told_on(date(2026, 3, 9))
    admin = user_create(login="admin1", password="BiUr42#ok", role="tenant_admin")
    client = Client()
    login_verified_staff(client, HOST, admin, "BiUr42#ok")
    page = client.get("/office/customers/access-ending/", HTTP_HOST=HOST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Jan Testowy" in html
    assert "01.03.2026" in html
    assert "12.03.2026" in html
    assert "Ewa Sąsiadka" not in html
    customer = Client()
    login(customer, HOST, "L0000001", "RyBa18$05")
    assert customer.get("/office/customers/access-ending/", HTTP_HOST=HOST).status_code == 403


def test_the_office_page_is_not_found_where_the_policy_is_off(ledger):
    admin = user_create(login="admin1", password="BiUr42#ok", role="tenant_admin")
    client = Client()
    login_verified_staff(client, HOST, admin, "BiUr42#ok")
    assert client.get("/office/customers/access-ending/", HTTP_HOST=HOST).status_code == 404
    assert "access-ending" not in client.get("/office/", HTTP_HOST=HOST).content.decode()
