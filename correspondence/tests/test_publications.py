"""Announcements and outages (targeting, the public page), the organisation's documents
(audiences, versions, the public page, downloads through the access check) and letters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Building, Customer
from core.errors import ApplicationError
from correspondence import selectors, services
from correspondence.models import Announcement, Document, LetterRead
from correspondence.tests.conftest import PASSWORD, A, B, pdf, png
from identity.tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(people, set_config):
    set_config(
        modules=["tickets", "failure_reports", "correspondence", "announcements", "documents"]
    )
    return people


def announce(staff, **values) -> Announcement:
    values.setdefault("title", "Ogłoszenie")
    values.setdefault("body", "Treść")
    return services.announcement_publish(actor=staff, draft=services.AnnouncementDraft(**values))


# Announcements and outages.


def test_announcements_reach_the_premises_their_target_covers(published):
    p = published
    b1, b2 = Building.objects.get(erp_id="B1"), Building.objects.get(erp_id="B2")
    everyone = announce(p["staff"], title="Walne zgromadzenie")
    on_b1 = announce(p["staff"], title="Przegląd gazu B1", target="buildings", building_ids=[b1.pk])
    on_b2 = announce(p["staff"], title="Malowanie B2", target="buildings", building_ids=[b2.pk])
    estate = announce(p["staff"], title="Osiedle", target="estate", estate="Osiedle Zielone")
    street = announce(
        p["staff"], title="Polna", target="area", area_city="lipiny", area_streets=["Polna"]
    )
    owner = set(selectors.announcements_for(actor=p["owner"]))  # M1 in B1, M3 in B2 (Polna)
    neighbour = set(selectors.announcements_for(actor=p["neighbour"]))  # M2 in B1 (Leśna)
    assert owner == {everyone, on_b1, on_b2, estate, street}
    assert neighbour == {everyone, on_b1, estate}


def test_a_manager_sees_the_announcements_of_granted_buildings_only(published, manager):
    p = published
    b1, b2 = Building.objects.get(erp_id="B1"), Building.objects.get(erp_id="B2")
    on_b1 = announce(p["staff"], title="B1", target="buildings", building_ids=[b1.pk])
    announce(p["staff"], title="B2", target="buildings", building_ids=[b2.pk])
    assert list(selectors.announcements_for(actor=manager)) == [on_b1]


def test_an_announcement_is_shown_within_its_period_only(published):
    p = published
    now = timezone.now()
    later = announce(p["staff"], title="Później", visible_from=now + timedelta(hours=1))
    ended = announce(
        p["staff"],
        title="Było",
        visible_from=now - timedelta(days=2),
        visible_until=now - timedelta(seconds=1),
    )
    shown = announce(p["staff"], title="Teraz", visible_until=now + timedelta(days=1))
    assert list(selectors.announcements_for(actor=p["owner"])) == [shown]
    assert set(selectors.announcements_for(actor=p["owner"], at=now + timedelta(hours=2))) == {
        later,
        shown,
    }
    assert ended not in selectors.announcements_for(actor=p["owner"], at=now)
    services.announcement_withdraw(actor=p["staff"], announcement_id=shown.pk)
    assert list(selectors.announcements_for(actor=p["owner"])) == []


def test_a_wrong_announcement_is_refused_and_nothing_is_published(published):
    p = published
    now = timezone.now()
    wrong = [
        {"title": ""},
        {"target": "buildings", "building_ids": []},
        {"target": "buildings", "building_ids": [999999]},
        {"target": "area", "area_city": ""},
        {"target": "estate", "estate": ""},
        {"visible_from": now, "visible_until": now},  # the end must come after the start
        {"kind": "failure"},  # a failure says when it began
        {"kind": "failure", "starts_at": now, "expected_end_at": now - timedelta(hours=1)},
    ]
    for values in wrong:
        with pytest.raises(ApplicationError) as refused:
            announce(p["staff"], **values)
        assert refused.value.code == "invalid", values
    assert not Announcement.objects.exists()


def test_the_public_outage_page_needs_no_login_and_shows_works_and_failures_only(published):
    p = published
    b1 = Building.objects.get(erp_id="B1")
    announce(p["staff"], title="Zebranie członków")
    announce(
        p["staff"],
        kind="failure",
        title="Brak wody",
        target="buildings",
        building_ids=[b1.pk],
        starts_at=timezone.now(),
        expected_end_at=timezone.now() + timedelta(hours=5),
    )
    page = Client().get("/outages/", HTTP_HOST=A)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Brak wody" in text
    assert "Zebranie członków" not in text
    assert "Leśna" in text  # where


def test_the_summary_page_warns_of_a_failure_on_the_customers_premises(client, published):
    p = published
    announce(
        p["staff"],
        kind="failure",
        title="Awaria ciepłociągu",
        target="area",
        area_city="Lipiny",
        area_streets=["Polna"],
        starts_at=timezone.now(),
    )
    client.force_login(p["owner"])  # M3 is on Polna
    assert "Awaria ciepłociągu" in client.get("/dashboard/", HTTP_HOST=A).content.decode()
    client.force_login(p["neighbour"])  # Leśna only
    assert "Awaria ciepłociągu" not in client.get("/dashboard/", HTTP_HOST=A).content.decode()


def test_the_office_publishes_changes_and_withdraws_an_announcement(client, published):
    p = published
    login_verified_staff(client, A, p["staff"], PASSWORD)
    bad = client.post("/office/announcements/", {"kind": "announcement"}, HTTP_HOST=A)
    assert bad.status_code == 400
    created = client.post(
        "/office/announcements/",
        {"kind": "announcement", "title": "Dezynsekcja", "body": "W piątek", "target": "everyone"},
        HTTP_HOST=A,
    )
    assert created.status_code == 302
    item = Announcement.objects.get()
    changed = client.post(
        f"/office/announcements/{item.pk}/",
        {
            "kind": "announcement",
            "title": "Dezynsekcja w sobotę",
            "body": "x",
            "target": "everyone",
        },
        HTTP_HOST=A,
    )
    assert changed.status_code == 302
    assert Announcement.objects.get().title == "Dezynsekcja w sobotę"
    client.post(f"/office/announcements/{item.pk}/withdraw", HTTP_HOST=A)
    assert Announcement.objects.get().withdrawn_at is not None


# Documents.


def publish(staff, audience, title, **values):
    return services.document_publish(
        actor=staff,
        title=title,
        category=values.pop("category", "resolutions"),
        audience=audience,
        file=pdf(),
        **values,
    )


def test_each_audience_reads_its_documents(published, manager):
    p = published
    Customer.objects.filter(pk=p["k1"].pk).update(membership_number="123")
    b2 = Building.objects.get(erp_id="B2")
    statute = publish(p["staff"], "public", "Statut", category="statute")
    all_customers = publish(p["staff"], "customers", "Cennik")
    members = publish(p["staff"], "members", "Uchwała zarządu")
    building = publish(p["staff"], "building", "Protokół B2", building_id=b2.pk)
    assert set(selectors.documents_for(actor=p["owner"])) == {
        statute,
        all_customers,
        members,
        building,
    }
    assert set(selectors.documents_for(actor=p["neighbour"])) == {statute, all_customers}
    assert set(selectors.documents_for(actor=manager)) == {statute}  # granted M1 in B1 only
    assert list(selectors.documents_public()) == [statute]


def test_downloads_go_through_the_access_check(published):
    p = published
    public = publish(p["staff"], "public", "Statut").versions.get()
    members = publish(p["staff"], "members", "Uchwała").versions.get()
    anonymous = Client()
    response = anonymous.get(f"/documents/files/{public.pk}", HTTP_HOST=A)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert anonymous.get(f"/documents/files/{members.pk}", HTTP_HOST=A).status_code == 404
    neighbour = Client()
    neighbour.force_login(p["neighbour"])  # not a member
    assert neighbour.get(f"/documents/files/{members.pk}", HTTP_HOST=A).status_code == 404
    Customer.objects.filter(pk=p["k2"].pk).update(membership_number="7")
    member = Client()
    member.force_login(p["neighbour"])
    assert member.get(f"/documents/files/{members.pk}", HTTP_HOST=A).status_code == 200


def test_a_new_version_keeps_the_old_and_only_pdf_is_taken(published):
    p = published
    document = publish(p["staff"], "customers", "Regulamin")
    services.document_version_add(actor=p["staff"], document_id=document.pk, file=pdf())
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    for wrong, code in (
        (png(), "attachment_not_allowed"),
        (SimpleUploadedFile("x.pdf", b"<html>nie pdf</html>"), "attachment_not_allowed"),
        (None, "invalid"),
    ):
        with pytest.raises(ApplicationError) as refused:
            services.document_version_add(actor=p["staff"], document_id=document.pk, file=wrong)
        assert refused.value.code == code
    assert document.versions.count() == 2
    with pytest.raises(ApplicationError) as refused:
        publish(p["staff"], "building", "Bez budynku")  # a building's document needs one
    assert "building" in refused.value.extra["fields"]
    assert Document.objects.count() == 1


def test_the_public_documents_page_lists_public_documents_only(published):
    p = published
    publish(p["staff"], "public", "Sprawozdanie finansowe 2025", category="reports")
    publish(p["staff"], "members", "Lista członków")
    page = Client().get("/documents/public/", HTTP_HOST=A)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sprawozdanie finansowe 2025" in text
    assert "Lista członków" not in text


@pytest.fixture
def b_offers_documents(tenants):
    """Tenant B with the documents module on for one test (the session's tenant object is put
    back after it, as the database is)."""
    from tenants.services import tenant_setting_set

    original = tenants.b.config
    connection.set_tenant(tenants.public)
    tenant_setting_set(tenant=tenants.b, key="modules", actor="test", value=["documents"])
    tenants.b.refresh_from_db(fields=["config"])
    tenants.b.__dict__.pop("_configuration", None)
    connection.set_tenant(tenants.a)
    yield tenants.b
    tenants.b.config = original
    tenants.b.__dict__.pop("_configuration", None)


def test_the_documents_api_and_tenant_b_with_the_same_ids(published, tenants, b_offers_documents):
    """Tenant B offers documents too and holds a document and a version with A's ids: each
    host serves its own."""
    p = published
    mine = publish(p["staff"], "customers", "Cennik A")
    version = mine.versions.get()
    connection.set_tenant(tenants.b)
    from billing.importing import import_text
    from billing.services import customer_account_attach
    from identity.services import user_create

    assert not import_text("customers", "erp_id;symbol;kind;name\nK1;X1;individual;B\n").errors
    b_user = user_create(login="klient-b", password=PASSWORD)
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=b_user)
    theirs = publish(b_user, "customers", "Cennik B")
    with connection.cursor() as cursor:  # B's rows take A's ids
        cursor.execute(
            "UPDATE correspondence_documentversion SET id = %s, document_id = %s",
            [version.pk, mine.pk],
        )
        cursor.execute("UPDATE correspondence_document SET id = %s", [mine.pk])
    connection.set_tenant(tenants.a)
    api = APIClient()
    api.force_authenticate(p["owner"])
    rows = api.get("/api/v1/documents", HTTP_HOST=A).json()["results"]
    assert [r["title"] for r in rows] == ["Cennik A"]
    own = api.get(f"/api/v1/documents/files/{version.pk}", HTTP_HOST=A)
    assert own.status_code == 200
    other = APIClient()
    other.force_authenticate(b_user)
    rows = other.get("/api/v1/documents", HTTP_HOST=B).json()["results"]
    assert [(r["id"], r["title"]) for r in rows] == [(mine.pk, "Cennik B")]
    assert theirs.title == "Cennik B"


# Letters.


def test_letters_reach_their_customers_and_are_marked_read(client, published):
    p = published
    b1 = Building.objects.get(erp_id="B1")
    to_k1 = services.letter_send(
        actor=p["staff"],
        subject="Zaległość",
        body="Prosimy o wpłatę",
        target="customer",
        customer_id=p["k1"].pk,
        pdf=pdf(),
    )
    to_b1 = services.letter_send(
        actor=p["staff"],
        subject="Wymiana domofonu",
        body="B1",
        target="building",
        building_id=b1.pk,
    )
    to_all = services.letter_send(actor=p["staff"], subject="Życzenia", body="x", target="everyone")
    assert set(selectors.letters_for(actor=p["owner"])) == {to_k1, to_b1, to_all}
    assert set(selectors.letters_for(actor=p["neighbour"])) == {to_b1, to_all}  # M2 in B1
    assert selectors.unread_letters(actor=p["owner"]) == 3
    client.force_login(p["owner"])
    assert client.get(f"/letters/{to_k1.pk}/", HTTP_HOST=A).status_code == 200
    assert client.get(f"/letters/{to_k1.pk}/", HTTP_HOST=A).status_code == 200  # again: once
    assert LetterRead.objects.filter(letter=to_k1, user=p["owner"]).count() == 1
    assert selectors.unread_letters(actor=p["owner"]) == 2
    assert client.get(f"/letters/{to_k1.pk}/pdf", HTTP_HOST=A).status_code == 200
    client.force_login(p["neighbour"])
    assert client.get(f"/letters/{to_k1.pk}/", HTTP_HOST=A).status_code == 404
    assert client.get(f"/letters/{to_k1.pk}/pdf", HTTP_HOST=A).status_code == 404
    assert not LetterRead.objects.filter(user=p["neighbour"]).exists()


def test_a_manager_reads_no_personal_letter_of_a_customer_it_covers_in_part(published, manager):
    p = published
    services.letter_send(
        actor=p["staff"], subject="Osobiste", body="x", target="customer", customer_id=p["k1"].pk
    )
    assert list(selectors.letters_for(actor=manager)) == []


def test_a_wrong_letter_is_refused(published):
    p = published
    for values, field in (
        ({"target": "customer"}, "customer"),
        ({"target": "building", "building_id": 999999}, "building"),
        ({"target": "nobody"}, "target"),
        ({"target": "everyone", "pdf": png()}, "pdf"),
    ):
        with pytest.raises(ApplicationError) as refused:
            services.letter_send(actor=p["staff"], subject="S", body="B", **values)
        assert field in refused.value.extra["fields"], values
    assert not selectors.letters_office().exists()


def test_streets_match_whatever_their_case_and_prefix(published):
    p = published
    found = announce(
        p["staff"], title="Polna", target="area", area_city="LIPINY", area_streets=["ul. polna"]
    )
    assert list(selectors.announcements_for(actor=p["owner"])) == [found]  # M3 is on Polna


def test_editing_a_scheduled_announcement_keeps_its_start(published):
    p = published
    now = timezone.now()
    item = announce(p["staff"], title="Za tydzień", visible_from=now + timedelta(days=7))
    draft = services.AnnouncementDraft(
        title="Za tydzień", body="x", visible_until=now + timedelta(days=1)
    )
    with pytest.raises(ApplicationError) as refused:  # before its own start: a form error
        services.announcement_update(actor=p["staff"], announcement_id=item.pk, draft=draft)
    assert "visible_until" in refused.value.extra["fields"]
    draft.visible_until = now + timedelta(days=8)
    assert (
        services.announcement_update(
            actor=p["staff"], announcement_id=item.pk, draft=draft
        ).visible_from
        == item.visible_from
    )
