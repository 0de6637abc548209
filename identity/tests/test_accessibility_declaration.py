"""The accessibility declaration (#21, the Polish law on digital accessibility): published for
everyone in the elements of the law's template, linked from every page's footer, edited by the
tenant's administrator (audited, bad input refused and nothing changed), and counted as due on
the office's home until this year's review is done."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from identity.accessibility import review_due_count
from identity.services import user_create
from identity.tests.conftest import login_verified_staff
from tenants.models import Tenant, TenantSettingChange
from tenants.services import tenant_setting_set

pytestmark = pytest.mark.django_db
A, B = "alpha.localhost", "beta.localhost"
PASSWORD = "BiUr42#ok"

VALID = {
    "entity": "Spółdzielnia Mieszkaniowa Alfa",
    "published_on": "2024-05-01",
    "updated_on": "2026-10-01",
    "status": "partial",
    "exceptions": "Skany uchwał z lat 2010–2015 nie mają warstwy tekstowej.",
    "prepared_on": "2025-03-20",
    "reviewed_on": "2026-03-15",
    "assessment": "self",
    "assessor": "",
    "contact_person": "Anna Dostępna",
    "contact_email": "dostepnosc@alfa.example",
    "contact_phone": "+48 89 500 10 20",
    "architecture": "Wejście od ul. Leśnej bez progów; winda do 1. piętra.",
    "sign_language": "",
}


@pytest.fixture
def admin(alpha):
    client = Client()
    login_verified_staff(
        client, A, user_create(login="admin-a11y", password=PASSWORD, role="tenant_admin"), PASSWORD
    )
    return client


def _declaration(tenant: Tenant):
    return Tenant.objects.get(pk=tenant.pk).configuration.accessibility


def test_published_for_everyone_with_the_portals_own_facts_until_written(alpha):
    page = Client().get("/deklaracja-dostepnosci/", HTTP_HOST=A)
    assert page.status_code == 200
    html = page.content.decode()
    assert "zobowiązuje się zapewnić dostępność swojej strony internetowej" in html
    assert "http://alpha.localhost/" in html
    created = timezone.localdate(alpha.created_at).isoformat()
    assert f'id="a11y-publish-date">{created}<' in html
    assert "częściowo zgodna" in html  # with the platform's own known exceptions
    assert "w ciągu 7 dni" in html
    assert "bip.brpo.gov.pl" in html
    # every page links it in its footer, in one click
    login = Client().get("/login/", HTTP_HOST=A).content.decode()
    assert 'href="/deklaracja-dostepnosci/"' in login


def test_the_administrator_writes_it_and_the_change_is_audited(
    admin, alpha, tenants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the portal sees it once committed
        response = admin.post("/office/accessibility/", VALID, HTTP_HOST=A)
    assert response.status_code == 302
    saved = _declaration(alpha)
    assert (saved.contact_person, saved.reviewed_on, saved.status) == (
        "Anna Dostępna",
        "2026-03-15",
        "partial",
    )
    assert TenantSettingChange.objects.filter(tenant=alpha, key="accessibility").exists()
    html = Client().get("/deklaracja-dostepnosci/", HTTP_HOST=A).content.decode()
    for text in (
        'id="a11y-entity">Spółdzielnia Mieszkaniowa Alfa<',
        'id="a11y-publish-date">2024-05-01<',
        'id="a11y-data-sporzadzenie">2025-03-20<',
        'id="a11y-data-przeglad">2026-03-15<',
        "Skany uchwał z lat 2010–2015",
        'id="a11y-kontakt-osoba">Anna Dostępna<',
        "winda do 1. piętra",
    ):
        assert text in html, text
    # tenant B's declaration is its own
    assert (
        "Anna Dostępna"
        not in Client().get("/deklaracja-dostepnosci/", HTTP_HOST=B).content.decode()
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_email": "nie-adres"}, "contact_email"),
        ({"reviewed_on": "2025-03-19"}, "reviewed_on"),  # a day before it was made
        ({"exceptions": "  "}, "exceptions"),  # partial, and nothing said of what
        ({"assessment": "external", "assessor": ""}, "assessor"),
        ({"status": "mostly"}, "status"),
        ({"published_on": "2024-02-30"}, "published_on"),
        ({"architecture": "x" * 5001}, "architecture"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(admin, alpha, change, field):
    before = _declaration(alpha)
    response = admin.post("/office/accessibility/", {**VALID, **change}, HTTP_HOST=A)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert _declaration(alpha) == before
    assert not TenantSettingChange.objects.filter(key="accessibility").exists()


def test_a_review_is_due_each_year_until_it_is_done(
    admin, alpha, monkeypatch, django_capture_on_commit_callbacks
):
    today = date(2027, 2, 10)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=alpha,
            key="accessibility",
            value={**VALID, "reviewed_on": "2026-12-31"},  # last year's last day: due
            actor="test",
        )
    assert review_due_count() == 1
    home = admin.get("/office/", HTTP_HOST=A).content.decode()
    assert 'href="/office/accessibility/"' in home
    page = admin.get("/office/accessibility/", HTTP_HOST=A).content.decode()
    assert "31 marca" in page
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/office/accessibility/", {**VALID, "reviewed_today": "on"}, HTTP_HOST=A)
    assert _declaration(alpha).reviewed_on == "2027-02-10"
    connection.set_tenant(Tenant.objects.get(pk=alpha.pk))
    assert review_due_count() == 0
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + timedelta(days=365))
    assert review_due_count() == 1  # and again the next year


def test_staff_other_than_the_administrator_cannot_change_it(alpha, staff):
    client = Client()
    login_verified_staff(client, A, staff, "BiUr42#ok")
    assert client.get("/office/accessibility/", HTTP_HOST=A).status_code == 403
    assert client.post("/office/accessibility/", VALID, HTTP_HOST=A).status_code == 403
    assert _declaration(alpha).contact_person == ""


def _reviewed_on(day: str, tenant, callbacks) -> None:
    with callbacks(execute=True):
        tenant_setting_set(
            tenant=tenant, key="accessibility", value={**VALID, "reviewed_on": day}, actor="t"
        )
    connection.set_tenant(Tenant.objects.get(pk=tenant.pk))


def _reminded(day: date) -> list[tuple[str, str]]:
    from core.outbox.models import Message
    from identity.services import accessibility_review_remind

    before = set(Message.objects.values_list("pk", flat=True))
    accessibility_review_remind(today=day)
    return sorted(
        Message.objects.exclude(pk__in=before)
        .filter(template="accessibility_review_due")
        .values_list("recipient", "subject")
    )


def test_administrators_are_reminded_by_31_march_then_monthly_while_late(
    alpha, staff, django_capture_on_commit_callbacks
):
    """The law's yearly review: the administrators (in their own language; no other staff) are
    e-mailed from 1 March, again in its last week, and once a month while it is late; each
    reminder once; none once the review is recorded, nor in another tenant."""
    _reviewed_on("2026-03-15", alpha, django_capture_on_commit_callbacks)
    user_create(login="adm", password=PASSWORD, role="tenant_admin", email="a@alfa.example")
    english = user_create(
        login="adm2", password=PASSWORD, role="tenant_admin", email="e@alfa.example"
    )
    english.language = "en"
    english.save(update_fields=["language"])
    assert staff.role == "customer_service"  # staff who are not administrators: not reminded
    assert _reminded(date(2027, 2, 28)) == []  # not yet the time
    first = _reminded(date(2027, 3, 1))
    assert [to for to, _subject in first] == ["a@alfa.example", "e@alfa.example"]
    assert dict(first)["e@alfa.example"].startswith(
        "Review the accessibility declaration by 31 March"
    )
    assert "31 marca" in dict(first)["a@alfa.example"]
    assert _reminded(date(2027, 3, 2)) == []  # once
    assert len(_reminded(date(2027, 3, 25))) == 2  # its last week
    assert _reminded(date(2027, 3, 31)) == []
    late = _reminded(date(2027, 4, 1))
    assert "late" in dict(late)["e@alfa.example"]
    assert _reminded(date(2027, 4, 20)) == []
    assert len(_reminded(date(2027, 5, 1))) == 2
    _reviewed_on("2027-05-02", alpha, django_capture_on_commit_callbacks)
    assert _reminded(date(2027, 6, 1)) == []  # reviewed: nothing more this year


def test_another_tenants_administrators_are_not_reminded(alpha, beta):
    from core.outbox.models import Message

    connection.set_tenant(alpha)
    user_create(login="adm", password=PASSWORD, role="tenant_admin", email="a@alfa.example")
    connection.set_tenant(beta)
    user_create(login="adm", password=PASSWORD, role="tenant_admin", email="b@beta.example")
    connection.set_tenant(alpha)
    _reminded(date(2027, 3, 1))
    connection.set_tenant(beta)
    assert not Message.objects.filter(template="accessibility_review_due").exists()
