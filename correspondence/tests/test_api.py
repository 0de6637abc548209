"""API.md: tickets, their messages and attachments, the public status lookup and the export with
the tenant's API key."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from correspondence.models import Case, CaseMessage
from correspondence.services import case_answer, case_note_add
from correspondence.tests.conftest import A, B, file_case, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people["owner"])
    return client


def test_a_customer_files_lists_and_reads_a_ticket(api, people):
    created = api.post(
        "/api/v1/tickets",
        {"kind": "complaint", "text": "Faktura za wysoka", "invoice": people["f1"].pk},
        format="json",
        HTTP_HOST=A,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["reference"].startswith("REK/")
    assert body["invoice_id"] == people["f1"].pk
    listed = api.get("/api/v1/tickets", HTTP_HOST=A).json()
    assert [t["id"] for t in listed["results"]] == [body["id"]]
    case_note_add(actor=people["staff"], case_id=body["id"], text="Tajne")
    case_answer(actor=people["staff"], case_id=body["id"], text="Korekta wystawiona")
    detail = api.get(f"/api/v1/tickets/{body['id']}", HTTP_HOST=A).json()
    texts = [m["body"] for m in detail["messages"]]
    assert "Korekta wystawiona" in texts
    assert "Tajne" not in texts
    assert "note" not in [m["kind"] for m in detail["messages"]]


def test_a_ticket_with_a_photo_through_multipart_and_a_reply(api, people):
    created = api.post(
        "/api/v1/tickets",
        {"kind": "failure", "text": "Zalane", "urgency": "emergency", "attachments": [png()]},
        format="multipart",
        HTTP_HOST=A,
    )
    assert created.status_code == 201
    case = Case.objects.get()
    attachment = case.messages.get().attachments.get()
    download = api.get(f"/api/v1/tickets/attachments/{attachment.pk}", HTTP_HOST=A)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    reply = api.post(
        f"/api/v1/tickets/{case.pk}/messages", {"text": "Dalej kapie"}, format="json", HTTP_HOST=A
    )
    assert reply.status_code == 201
    assert case.messages.filter(kind=CaseMessage.Kind.MESSAGE).count() == 2


def test_bad_input_gets_one_exact_status_and_changes_nothing(api, people):
    cases = [
        ({"kind": "failure"}, 400),  # no text
        ({"kind": "nope", "text": "x"}, 400),
        ({"kind": "failure", "text": "x", "premises": people["m2"].pk}, 400),  # K2's flat
        ({"kind": "failure", "text": "x", "urgency": "whenever"}, 400),
        ({"kind": "failure", "text": "x" * 5001}, 400),
        ({"kind": "data_change", "text": "x", "change": {"email": "a@b.pl"}}, 400),  # password
    ]
    for payload, expected in cases:
        response = api.post("/api/v1/tickets", payload, format="json", HTTP_HOST=A)
        assert response.status_code == expected, (payload, response.content)
        assert set(response.json()) >= {"code", "detail"}
    assert not Case.objects.exists()


def test_another_customers_ticket_is_not_found_and_takes_no_message(api, people):
    theirs = file_case(people["neighbour"], text="Sąsiadki", attachments=[png()])
    attachment = theirs.messages.get().attachments.get()
    assert api.get(f"/api/v1/tickets/{theirs.pk}", HTTP_HOST=A).status_code == 404
    response = api.post(
        f"/api/v1/tickets/{theirs.pk}/messages", {"text": "x"}, format="json", HTTP_HOST=A
    )
    assert response.status_code == 404
    assert api.get(f"/api/v1/tickets/attachments/{attachment.pk}", HTTP_HOST=A).status_code == 404
    assert theirs.messages.count() == 1


def test_a_tenant_b_ticket_with_the_same_id_is_not_seen_from_a(api, people, tenants):
    """B holds a ticket with the id of A's: each host answers with its own."""
    mine = file_case(people["owner"], text="Moja")
    connection.set_tenant(tenants.b)
    from billing.importing import import_text
    from billing.models import Customer
    from billing.services import customer_account_attach
    from identity.services import user_create

    assert not import_text("customers", "erp_id;symbol;kind;name\nK1;X1;individual;B\n").errors
    b_user = user_create(login="klient-b", password="RyBa18$05")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=b_user)
    theirs = file_case(b_user, kind="complaint", subject="Sprawa w B", text="Sprawa w B")
    with connection.cursor() as cursor:  # B's ticket takes A's id
        cursor.execute("UPDATE correspondence_casemessage SET case_id = %s", [mine.pk])
        cursor.execute("UPDATE correspondence_case SET id = %s", [mine.pk])
    connection.set_tenant(tenants.a)
    detail = api.get(f"/api/v1/tickets/{mine.pk}", HTTP_HOST=A).json()
    assert detail["reference"] == mine.reference
    assert detail["reference"] != theirs.reference
    other = APIClient()
    other.force_authenticate(b_user)
    listed = other.get("/api/v1/tickets", HTTP_HOST=B).json()["results"]
    assert [(t["id"], t["subject"]) for t in listed] == [(mine.pk, "Sprawa w B")]
    response = other.post(
        f"/api/v1/tickets/{mine.pk}/messages", {"text": "Do B"}, format="json", HTTP_HOST=B
    )
    assert response.status_code == 201
    connection.set_tenant(tenants.a)
    assert mine.messages.count() == 1  # A's ticket took nothing


def test_the_public_status_lookup(people):
    case = file_case(people["owner"])
    anonymous = APIClient()
    right = anonymous.post(
        "/api/v1/tickets/status",
        {"reference": case.reference, "contact": "jan@example.com"},
        format="json",
        HTTP_HOST=A,
    )
    assert right.status_code == 200
    assert right.json()["status"] == "new"
    wrong = anonymous.post(
        "/api/v1/tickets/status",
        {"reference": case.reference, "contact": "x@example.com"},
        format="json",
        HTTP_HOST=A,
    )
    unknown = anonymous.post(
        "/api/v1/tickets/status",
        {"reference": "AW/2026/777777", "contact": "x@example.com"},
        format="json",
        HTTP_HOST=A,
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    for _ in range(18):  # with the two wrong pairs above: the window's 20 wrong answers
        anonymous.post("/api/v1/tickets/status", {"reference": "x"}, format="json", HTTP_HOST=A)
    throttled = anonymous.post(
        "/api/v1/tickets/status",
        {"reference": case.reference, "contact": "jan@example.com"},
        format="json",
        HTTP_HOST=A,
    )
    assert throttled.status_code == 429  # even the right pair waits for the window


def test_the_export_needs_the_api_key_and_gives_changes_since_a_moment(people):
    from datetime import timedelta

    from django.utils import timezone

    from identity.services import api_key_create

    old = file_case(people["owner"], text="Stara")
    Case.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    new = file_case(people["owner"], text="Nowa", premises_id=people["m1"].pk)
    case_note_add(actor=people["staff"], case_id=new.pk, text="Dla ERP")
    assert APIClient().get("/api/v1/tickets/export", HTTP_HOST=A).status_code == 401
    key = api_key_create(name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = client.get("/api/v1/tickets/export", {"since": since}, HTTP_HOST=A)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["reference"] for r in rows] == [new.reference]
    assert rows[0]["customer_erp_id"] == "K1"
    assert rows[0]["premises_erp_id"] == "M1"
    assert "Dla ERP" in [m["body"] for m in rows[0]["messages"]]
    bad = client.get("/api/v1/tickets/export", {"since": "wczoraj"}, HTTP_HOST=A)
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
