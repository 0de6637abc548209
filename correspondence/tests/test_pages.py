"""The customer's case pages, the public status page and the office's inbox, through HTTP."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from correspondence.models import Case, CaseStatus
from correspondence.services import case_answer, case_note_add
from correspondence.tests.conftest import PASSWORD, A, B, file_case, png
from identity.tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db


def test_a_customer_files_a_failure_with_a_photo_and_follows_it(client, people):
    client.force_login(people["owner"])
    page = client.get("/cases/", HTTP_HOST=A)
    assert page.status_code == 200
    text = page.content.decode()
    for kind in ("/cases/new/failure/", "/cases/new/question/", "/cases/new/data_change/"):
        assert kind in text
    form = client.get("/cases/new/failure/", HTTP_HOST=A)
    assert 'name="urgency"' in form.content.decode()
    assert 'name="invoice"' not in form.content.decode()  # a failure names no invoice
    response = client.post(
        "/cases/new/failure/",
        {
            "premises": people["m1"].pk,
            "place": "klatka schodowa",
            "urgency": "urgent",
            "subject": "Nie świeci lampa",
            "text": "Na klatce nie świeci lampa od tygodnia.",
            "contact_email": "jan@example.com",
            "attachments": [png()],
        },
        HTTP_HOST=A,
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    detail = client.get(response["Location"], HTTP_HOST=A).content.decode()
    assert case.reference in detail
    assert "zdjęcie awarii.png" in detail
    attachment = case.messages.get().attachments.get()
    photo = client.get(f"/cases/attachments/{attachment.pk}", HTTP_HOST=A)
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"
    assert photo["Content-Security-Policy"] == "default-src 'none'; sandbox"
    case_note_add(actor=people["staff"], case_id=case.pk, text="Tajna notatka biura")
    case_answer(actor=people["staff"], case_id=case.pk, text="Lampa wymieniona.")
    detail = client.get(f"/cases/{case.pk}/", HTTP_HOST=A).content.decode()
    assert "Lampa wymieniona." in detail
    assert "Tajna notatka biura" not in detail


def test_a_wrong_form_says_what_is_wrong_and_files_nothing(client, people):
    client.force_login(people["owner"])
    response = client.post(
        "/cases/new/failure/",
        {"text": "", "urgency": "urgent", "attachments": [png()]},
        HTTP_HOST=A,
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    hostile = client.post(
        "/cases/new/failure/",
        {
            "text": "Awaria",
            "urgency": "urgent",
            "attachments": [SimpleUploadedFile("kot.jpg", b"<svg onload=alert(1)>")],
        },
        HTTP_HOST=A,
    )
    assert hostile.status_code == 400
    assert "kot.jpg" in hostile.content.decode()
    assert not Case.objects.exists()


def test_another_customers_case_and_attachment_are_not_found(client, people):
    case = file_case(people["owner"], attachments=[png()])
    attachment = case.messages.get().attachments.get()
    client.force_login(people["neighbour"])
    assert client.get(f"/cases/{case.pk}/", HTTP_HOST=A).status_code == 404
    assert client.get(f"/cases/attachments/{attachment.pk}", HTTP_HOST=A).status_code == 404
    response = client.post(f"/cases/{case.pk}/reply", {"text": "Cudze"}, HTTP_HOST=A)
    assert response.status_code == 404
    assert case.messages.count() == 1


def test_an_internal_notes_attachment_is_never_served_to_the_customer(client, people):
    case = file_case(people["owner"])
    note = case_note_add(
        actor=people["staff"], case_id=case.pk, text="Notatka", attachments=[png()]
    )
    client.force_login(people["owner"])
    response = client.get(f"/cases/attachments/{note.attachments.get().pk}", HTTP_HOST=A)
    assert response.status_code == 404


def test_a_manager_not_covering_the_premises_sees_neither_case_nor_attachment(
    client, people, manager
):
    on_m3 = file_case(people["owner"], premises_id=people["m3"].pk, attachments=[png()])
    client.force_login(manager)
    assert client.get(f"/cases/{on_m3.pk}/", HTTP_HOST=A).status_code == 404
    attachment = on_m3.messages.get().attachments.get()
    assert client.get(f"/cases/attachments/{attachment.pk}", HTTP_HOST=A).status_code == 404


def test_the_same_case_id_in_tenant_b_is_bs_own(client, people, tenants):
    """Tenant B holds a case with the same id: A's customer sees A's, B's host shows none."""
    case = file_case(people["owner"], text="Sprawa w A")
    connection.set_tenant(tenants.b)
    from billing.importing import import_text
    from billing.models import Customer
    from billing.services import customer_account_attach
    from identity.services import user_create

    assert not import_text("customers", "erp_id;symbol;kind;name\nK1;X1;individual;B\n").errors
    b_user = user_create(login="klient-b", password=PASSWORD)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=b_user)
    b_case = file_case(b_user, kind="complaint", text="Sprawa w B")
    with connection.cursor() as cursor:  # the same id in B
        for table, column in (
            ("correspondence_case", "id"),
            ("correspondence_casemessage", "case_id"),
        ):
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {column} = %s",  # noqa: S608 - ours
                [case.pk, b_case.pk],
            )
    connection.set_tenant(tenants.a)
    client.force_login(people["owner"])
    page = client.get(f"/cases/{case.pk}/", HTTP_HOST=A).content.decode()
    assert "Sprawa w A" in page
    assert "Sprawa w B" not in page
    other = Client()
    other.force_login(people["owner"])
    response = other.get(f"/cases/{case.pk}/", HTTP_HOST=B)
    assert response.status_code == 302  # A's account is nobody on B's host: the login page


def test_the_customer_closes_rates_and_reopens(client, people):
    case = file_case(people["owner"])
    case_answer(actor=people["staff"], case_id=case.pk, text="Gotowe.")
    client.force_login(people["owner"])
    assert client.post(f"/cases/{case.pk}/close", HTTP_HOST=A).status_code == 302
    page = client.get(f"/cases/{case.pk}/", HTTP_HOST=A).content.decode()
    assert 'name="rating"' in page
    assert client.post(f"/cases/{case.pk}/rate", {"rating": "9"}, HTTP_HOST=A).status_code == 400
    assert client.post(f"/cases/{case.pk}/rate", {"rating": "4"}, HTTP_HOST=A).status_code == 302
    assert Case.objects.get(pk=case.pk).rating == 4
    assert client.post(f"/cases/{case.pk}/reopen", HTTP_HOST=A).status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS


def test_the_public_status_page_shows_a_case_for_the_right_pair_only(client, people):
    case = file_case(people["owner"])
    case_answer(actor=people["staff"], case_id=case.pk, text="Przyjedziemy jutro.")
    right = client.post(
        "/cases/status/", {"reference": case.reference, "contact": "jan@example.com"}, HTTP_HOST=A
    )
    assert right.status_code == 200
    assert "Przyjedziemy jutro." in right.content.decode()
    wrong_pair = client.post(
        "/cases/status/", {"reference": case.reference, "contact": "ewa@example.com"}, HTTP_HOST=A
    )
    unknown = client.post(
        "/cases/status/", {"reference": "AW/2026/999999", "contact": "ewa@example.com"}, HTTP_HOST=A
    )
    assert wrong_pair.status_code == unknown.status_code == 404

    def shown(response) -> str:
        body = response.content.decode()
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        return re.sub(r'value="[^"]*"', "", body)

    assert shown(wrong_pair) == shown(unknown)  # nothing tells whether the reference exists


def test_the_status_lookup_is_throttled(client, people):
    for _ in range(20):
        client.post("/cases/status/", {"reference": "X", "contact": "y"}, HTTP_HOST=A)
    response = client.post("/cases/status/", {"reference": "X", "contact": "y"}, HTTP_HOST=A)
    assert response.status_code == 429


def test_a_tenant_without_case_modules_offers_no_case_page(client, people, set_config):
    set_config(modules=["charges"])
    client.force_login(people["owner"])
    assert client.get("/cases/", HTTP_HOST=A).status_code == 403
    assert client.get("/cases/status/", HTTP_HOST=A).status_code == 404
    assert "/cases/" not in client.get("/dashboard/", HTTP_HOST=A).content.decode()


def test_the_office_inbox_answers_notes_assigns_and_accepts_a_change(client, people):
    file_case(people["owner"], text="Pierwsza")
    change = file_case(
        people["owner"],
        kind="data_change",
        change={"city": "Nowe Miasto"},
        text="Zmiana miasta",
    )
    login_verified_staff(client, A, people["staff"], PASSWORD)
    inbox = client.get("/office/cases/", HTTP_HOST=A)
    assert inbox.status_code == 200
    assert change.reference in inbox.content.decode()
    found = client.get("/office/cases/", {"q": change.reference}, HTTP_HOST=A).content.decode()
    assert change.reference in found
    assert "Pierwsza" not in found
    assert client.get(f"/office/cases/{change.pk}/", HTTP_HOST=A).status_code == 200
    client.post(f"/office/cases/{change.pk}/note", {"text": "Sprawdzić"}, HTTP_HOST=A)
    client.post(f"/office/cases/{change.pk}/assign", {"assignee": people["staff"].pk}, HTTP_HOST=A)
    assert client.post(f"/office/cases/{change.pk}/change", HTTP_HOST=A).status_code == 302
    change.refresh_from_db()
    assert change.assigned_to == people["staff"]
    assert change.status == CaseStatus.ANSWERED
    assert change.customer.city == "Nowe Miasto"
    empty = client.post(f"/office/cases/{change.pk}/answer", {"text": ""}, HTTP_HOST=A)
    assert empty.status_code == 400


def test_the_inbox_puts_new_cases_first_then_the_overdue(client, people):
    from datetime import timedelta

    from django.utils import timezone

    late = file_case(people["owner"], text="Spóźniona")
    fresh = file_case(people["owner"], text="Nowa")
    later = file_case(people["owner"], text="Późny termin")
    Case.objects.filter(pk__in=[late.pk, later.pk]).update(status=CaseStatus.IN_PROGRESS)
    Case.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    login_verified_staff(client, A, people["staff"], PASSWORD)
    page = client.get("/office/cases/", HTTP_HOST=A)
    assert [c.pk for c in page.context["page"]] == [fresh.pk, late.pk, later.pk]
    overdue = client.get("/office/cases/", {"status": "overdue"}, HTTP_HOST=A)
    assert [c.pk for c in overdue.context["page"]] == [late.pk]
    counts = {s["code"]: s["count"] for s in page.context["by_status"]}
    assert counts == {"new": 1, "in_progress": 2, "waiting": 0}
    assert (page.context["open_total"], page.context["overdue_total"]) == (3, 1)


def test_the_office_pages_of_modules_the_tenant_does_not_offer_are_not_found(
    client, people, set_config
):
    login_verified_staff(client, A, people["staff"], PASSWORD)
    assert client.get("/office/cases/", HTTP_HOST=A).status_code == 200
    set_config(modules=["charges"])
    for path in (
        "/office/cases/",
        "/office/announcements/",
        "/office/library/",
        "/office/letters/",
    ):
        assert client.get(path, HTTP_HOST=A).status_code == 404, path
    home = client.get("/office/", HTTP_HOST=A).content.decode()
    for path in (
        "/office/cases/",
        "/office/announcements/",
        "/office/library/",
        "/office/letters/",
    ):
        assert path not in home, path


def test_a_form_error_page_leads_the_language_switch_back_to_the_case(client, people):
    case = file_case(people["owner"])
    client.force_login(people["owner"])
    response = client.post(
        f"/cases/{case.pk}/reply",
        {"text": ""},
        HTTP_HOST=A,
        HTTP_REFERER=f"http://{A}/cases/{case.pk}/",
    )
    assert response.status_code == 400
    assert f'name="next" type="hidden" value="/cases/{case.pk}/"' in response.content.decode()
    foreign = client.post(
        f"/cases/{case.pk}/reply", {"text": ""}, HTTP_HOST=A, HTTP_REFERER="http://evil.example/x"
    )
    assert 'name="next" type="hidden" value="/"' in foreign.content.decode()


def test_the_summary_page_says_the_office_waits_for_a_reply(client, people):
    from billing.models import Invoice

    Invoice.objects.all().delete()  # nothing overdue: the card below speaks of the rest only
    case = file_case(people["owner"])
    case_answer(actor=people["staff"], case_id=case.pk, text="Prosimy o zdjęcie.", status="waiting")
    client.force_login(people["owner"])
    page = client.get("/dashboard/", HTTP_HOST=A).content.decode()
    assert "Biuro czeka na Twoją odpowiedź w 1 sprawie." in page
    assert "Nic więcej na Ciebie nie czeka." in page  # not "nothing waits" below the notice
    waiting = client.get("/cases/", {"status": "waiting"}, HTTP_HOST=A)
    assert [c.pk for c in waiting.context["page"]] == [case.pk]
    assert '/cases/?status=waiting"' in page
    client.force_login(people["neighbour"])
    assert "Biuro czeka" not in client.get("/dashboard/", HTTP_HOST=A).content.decode()


def test_right_lookups_do_not_use_up_the_window(client, people):
    case = file_case(people["owner"])
    for _ in range(25):
        right = client.post(
            "/cases/status/",
            {"reference": case.reference, "contact": "jan@example.com"},
            HTTP_HOST=A,
        )
        assert right.status_code == 200


def test_a_change_requests_errors_stand_at_their_fields(client, people):
    client.force_login(people["owner"])
    response = client.post(
        "/cases/new/data_change/",
        {"text": "Zmiana", "change_postcode": "123", "change_email": "zly"},
        HTTP_HOST=A,
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"change_postcode", "change_email"}


def test_a_letter_to_a_symbol_nobody_has_is_refused_at_its_field(client, people, set_config):
    set_config(modules=["correspondence", "tickets"])
    login_verified_staff(client, A, people["staff"], PASSWORD)
    response = client.post(
        "/office/letters/",
        {"target": "customer", "customer": "X9999999", "subject": "S", "body": "B"},
        HTTP_HOST=A,
    )
    assert response.status_code == 400
    assert response.context["form"].errors["customer"]
