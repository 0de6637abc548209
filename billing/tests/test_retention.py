"""The nightly retention job (SECURITY.md G4): every rule of the registry of personal data
applied on its day and not a day before, counts reported, a second run a no-op; the accounts
the ERP sends are left to the ERP (deleting an old month would change a balance)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from billing.importing import import_text
from billing.models import Invoice, PaymentReceived
from core import personal_data
from identity import services
from identity.models import AuthEvent, RegistrationRequest, RetentionRun
from tenants.models import RetentionReport, Tenant
from tenants.selectors import retention_overview

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=WARSAW)


@pytest.fixture
def history(ledger):
    """An invoice of 2020 with its payment (five years ran out on 1 January 2026); security log
    entries 366 days old (its last day was yesterday) and 365; registrations never confirmed 30
    days ago (gone today) and 29, and a confirmed one long ago."""
    assert not import_text(
        "invoices",
        "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
        "OLD;FV/1/2020;K1;2020-12-31;2021-01-10;10.00\n",
    ).errors
    assert not import_text(
        "payments-received",
        "erp_id;customer_erp_id;invoice_erp_id;paid_on;amount;title\n"
        "POLD;K1;OLD;2020-12-31;10.00;stara\n",
    ).errors
    today = date(2026, 12, 2)
    old = AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN_SUCCEEDED, login="a")
    kept = AuthEvent.objects.create(kind=AuthEvent.Kind.LOGIN_SUCCEEDED, login="b")
    AuthEvent.objects.filter(pk=old.pk).update(created_at=_at(today - timedelta(days=366)))
    AuthEvent.objects.filter(pk=kept.pk).update(created_at=_at(today - timedelta(days=365)))
    stale = RegistrationRequest.objects.create(flow="A", email="x@example.com", status="rejected")
    fresh = RegistrationRequest.objects.create(flow="A", email="y@example.com", status="rejected")
    waiting = RegistrationRequest.objects.create(
        flow="A", email="w@example.com", status="awaiting_review"
    )
    done = RegistrationRequest.objects.create(flow="A", email="z@example.com", user=ledger["owner"])
    RegistrationRequest.objects.filter(pk=stale.pk).update(created_at=_at(today - timedelta(30)))
    RegistrationRequest.objects.filter(pk=fresh.pk).update(created_at=_at(today - timedelta(29)))
    RegistrationRequest.objects.filter(pk=done.pk).update(created_at=_at(date(2020, 1, 1)))
    RegistrationRequest.objects.filter(pk=waiting.pk).update(created_at=_at(date(2026, 1, 1)))
    return {
        "today": today,
        "old_event": old,
        "kept_event": kept,
        "fresh": fresh,
        "done": done,
        "waiting": waiting,
    }


def test_each_rule_deletes_what_ran_out_and_nothing_more(history):
    report = personal_data.apply_retention(history["today"])
    assert not AuthEvent.objects.filter(pk=history["old_event"].pk).exists()
    assert AuthEvent.objects.filter(pk=history["kept_event"].pk).exists()
    assert set(RegistrationRequest.objects.values_list("pk", flat=True)) == {
        history["fresh"].pk,
        history["done"].pk,  # confirmed: it is the account's, not a stale request
        history["waiting"].pk,  # still waiting for the office, however long
    }
    assert report["identity.AuthEvent"] == {"rule": "security_log_1y", "deleted": 1, "blocked": 0}
    assert report["identity.RegistrationRequest"]["deleted"] == 1
    # The ERP's accounts stay: the ERP closes old years, not the portal's calendar.
    assert Invoice.objects.filter(erp_id="OLD").exists()
    assert PaymentReceived.objects.filter(erp_id="POLD").exists()
    assert "billing.Invoice" not in report


def test_a_second_run_deletes_nothing_and_the_day_is_recorded(history, tenants, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: history["today"])
    first = services.retention_apply()
    assert first.report["identity.AuthEvent"]["deleted"] == 1
    again = personal_data.apply_retention(history["today"])
    assert all(entry["deleted"] == 0 for entry in again.values()), again
    second = services.retention_apply()
    assert second.pk == first.pk  # one record per day
    assert RetentionRun.objects.count() == 1
    assert second.report["identity.AuthEvent"]["deleted"] == 1
    # the operators' copy, per rule, from the tenant's own run: the second run added nothing
    (shown,) = RetentionReport.objects.filter(ran_on=history["today"])
    assert shown.tenant == tenants.a
    assert shown.rules["security_log_1y"] == 1
    assert shown.rules["unconfirmed_30d"] == 1
    assert shown.deleted == sum(shown.rules.values())


def test_operators_see_counts_per_rule_and_the_portals_that_reported_nothing(
    history, tenants, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: history["today"])
    Tenant.objects.filter(pk=tenants.b.pk).update(created_at=_at(date(2026, 1, 1)))
    services.retention_apply()
    overview = retention_overview()
    assert overview["day"] == history["today"]
    assert ("security_log_1y", 1) in [(code, count) for code, _name, count in overview["rules"]]
    assert [row.tenant.slug for row in overview["rows"]] == ["alpha"]
    assert "beta" in overview["missing"]  # its job did not run that day
    assert "alpha" not in overview["missing"]
    # nothing of anyone's data, and nothing of a tenant's schema, is read for it
    assert all(
        set(row.rules) <= {h.retention.code for h in personal_data.holdings()}
        for row in overview["rows"]
    )


def test_the_day_before_the_period_ends_nothing_goes(history):
    report = personal_data.apply_retention(history["today"] - timedelta(days=1))
    assert AuthEvent.objects.filter(pk=history["kept_event"].pk).exists()
    assert report["identity.AuthEvent"]["deleted"] == 0
    assert report["identity.RegistrationRequest"]["deleted"] == 0
    assert RegistrationRequest.objects.count() == 4
