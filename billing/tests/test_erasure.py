"""Erasure at the person's request (art. 17 GDPR, SECURITY.md G2): the customer asks, the office
carries it out within the month; contact data, login and consents go, invoices stay with their
legal basis and the day they go, the account opens nothing, and the ERP's next file does not
bring the contact data back."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test import Client
from django.utils import timezone

from billing.importing import import_text
from billing.models import Customer, EInvoiceConsent, EInvoiceConsentEvent, Invoice
from core import personal_data
from core.errors import ApplicationError
from identity import services
from identity.models import (
    ApiToken,
    AuthEvent,
    ConsentRecord,
    CorrespondenceAddress,
    DocumentAcceptance,
    ErasureRequest,
    User,
)
from identity.selectors import consenting_user_ids
from identity.services import user_create
from identity.tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "RyBa18$05"
STAFF_PASSWORD = "BiUr42#ok"
CONTACTS = (
    "erp_id;symbol;kind;name;email;phone\n"
    "K1;L0000001;individual;Jan Testowy;jan@example.com;600100200\n"
    "K2;L0000002;individual;Ewa Sąsiadka;ewa@example.com;600300400\n"
)


@pytest.fixture
def admin(ledger):
    client = Client()
    login_verified_staff(
        client,
        HOST,
        user_create(login="admin-rodo", password=STAFF_PASSWORD, role="tenant_admin"),
        STAFF_PASSWORD,
    )
    return client


@pytest.fixture
def owner_with_history(ledger):
    """K1's account with contact data, an address, an e-invoice consent, an API token and an
    accepted document; K2 alike (the neighbour, who asks for nothing)."""
    assert not import_text("customers", CONTACTS).errors
    owner = ledger["owner"]
    owner.email, owner.phone = "jan@example.com", "600100200"
    owner.save(update_fields=["email", "phone"])
    CorrespondenceAddress.objects.create(
        user=owner, postcode="00-001", town="Warszawa", street="Leśna", house_no="1"
    )
    EInvoiceConsent.objects.create(
        customer=Customer.objects.get(erp_id="K1"), active=True, email="jan@example.com"
    )
    services.api_token_issue(user=owner)
    document = services.document_publish(kind="regulations", title="Regulamin")
    DocumentAcceptance.objects.create(user=owner, document=document)
    services.document_publish(kind="marketing_consent", title="Zgoda", body="Oferty")
    services.consent_set(user=owner, purpose="marketing", granted=True)
    services.consent_set(user=ledger["neighbour"], purpose="marketing", granted=True)
    return ledger


def test_the_customer_asks_and_the_office_carries_it_out_within_the_law(
    client, admin, owner_with_history
):
    owner, neighbour = owner_with_history["owner"], owner_with_history["neighbour"]
    client.force_login(owner)
    asked = client.post("/account/erase/", {"current_password": PASSWORD}, HTTP_HOST=HOST)
    assert asked.status_code == 302
    request = ErasureRequest.objects.get(user=owner)
    assert request.deadline == timezone.localdate() + relativedelta(months=1)
    assert request.asked_by == "customer"
    queue = admin.get("/office/privacy/erasure/", HTTP_HOST=HOST)
    assert "L0000001" in queue.content.decode()
    invoices_before = Invoice.objects.count()

    done = admin.post(f"/office/privacy/erasure/{request.pk}/carry-out", HTTP_HOST=HOST)
    assert done.status_code == 302

    owner.refresh_from_db()
    assert owner.username == f"usuniete-{owner.pk}"
    assert (owner.email, owner.phone, owner.first_name, owner.is_active) == ("", "", "", False)
    assert not owner.has_usable_password()
    # the session the customer had is over, and the login no longer opens anything
    assert client.get("/account/", HTTP_HOST=HOST)["Location"].startswith("/login/")
    refused = Client().post(
        "/api/v1/auth/login",
        {"login": "L0000001", "password": PASSWORD},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert refused.status_code == 401
    assert not ApiToken.objects.filter(user=owner).exists()
    assert not CorrespondenceAddress.objects.filter(user=owner).exists()
    k1 = Customer.objects.get(erp_id="K1")
    assert (k1.email, k1.phone, k1.user_id) == ("", "", None)
    assert k1.erased_at is not None
    assert k1.name == "Jan Testowy"  # the invoices name their buyer
    assert not EInvoiceConsent.objects.filter(customer=k1).exists()
    assert not ConsentRecord.objects.filter(user=owner).exists()  # marketing consents go
    assert consenting_user_ids("marketing", [owner.pk, neighbour.pk]) == {neighbour.pk}
    # what the law keeps is kept, with its basis and the day it goes
    assert Invoice.objects.count() == invoices_before
    assert DocumentAcceptance.objects.filter(user=owner).exists()
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.DONE
    invoices = request.outcome["billing.Invoice"]
    assert invoices["action"] == "keep"
    assert "74" in invoices["basis"]
    assert invoices["until"] is None  # the ERP keeps its accounts; its retention decides
    assert request.outcome["billing.Customer"]["action"] == "anonymise"
    assert request.outcome["identity.CorrespondenceAddress"]["action"] == "delete"
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.ERASURE_DONE, user=owner).exists()
    # the neighbour is untouched
    k2 = Customer.objects.get(erp_id="K2")
    assert (k2.email, k2.user_id) == ("ewa@example.com", neighbour.pk)
    assert User.objects.get(pk=neighbour.pk).is_active


def test_the_erps_next_file_does_not_bring_the_contact_data_back(admin, owner_with_history):
    owner = owner_with_history["owner"]
    request = services.erasure_record(
        user=owner, actor=User.objects.get(username="admin-rodo"), reason="pismo z 1.12.2026"
    )
    services.erasure_carry_out(request_id=request.pk, actor=User.objects.get(username="admin-rodo"))
    again = import_text("customers", CONTACTS.replace("600300400", "600999999"))
    assert again.errors == []
    k1, k2 = Customer.objects.get(erp_id="K1"), Customer.objects.get(erp_id="K2")
    assert (k1.email, k1.phone) == ("", "")
    assert k2.phone == "600999999"  # the others' rows are still updated
    # a file that changes something else of K1 still applies it
    import_text("customers", CONTACTS.replace("Jan Testowy", "Jan Testowy-Nowak"))
    k1.refresh_from_db()
    assert (k1.name, k1.email) == ("Jan Testowy-Nowak", "")


def test_a_request_is_carried_out_once(admin, owner_with_history):
    owner = owner_with_history["owner"]
    actor = User.objects.get(username="admin-rodo")
    request = services.erasure_record(user=owner, actor=actor, reason="przy okienku")
    services.erasure_carry_out(request_id=request.pk, actor=actor)
    with pytest.raises(ApplicationError) as twice:
        services.erasure_carry_out(request_id=request.pk, actor=actor)
    assert (twice.value.status, twice.value.code) == (409, "already_decided")
    done_at = ErasureRequest.objects.get(pk=request.pk).done_at
    again = admin.post(
        f"/office/privacy/erasure/{request.pk}/carry-out", HTTP_HOST=HOST, follow=True
    )
    assert "To żądanie zostało już wykonane." in again.content.decode()
    assert ErasureRequest.objects.get(pk=request.pk).done_at == done_at


def test_staff_record_a_request_only_with_its_reason_and_never_for_staff(admin, ledger):
    empty = admin.post(
        "/office/privacy/erasure/", {"login": "L0000001", "reason": ""}, HTTP_HOST=HOST
    )
    assert empty.status_code == 400
    assert not ErasureRequest.objects.exists()
    staff = admin.post(
        "/office/privacy/erasure/", {"login": "admin-rodo", "reason": "x"}, HTTP_HOST=HOST
    )
    assert staff.status_code == 400
    assert not ErasureRequest.objects.exists()
    recorded = admin.post(
        "/office/privacy/erasure/",
        {"login": "L0000001", "reason": "list z 1 grudnia"},
        HTTP_HOST=HOST,
    )
    assert recorded.status_code == 302
    assert ErasureRequest.objects.get().reason == "list z 1 grudnia"


def test_a_wrong_password_asks_for_nothing_and_asking_twice_waits_for_the_first(
    client, owner_with_history
):
    owner = owner_with_history["owner"]
    client.force_login(owner)
    wrong = client.post("/account/erase/", {"current_password": "zgadywane"}, HTTP_HOST=HOST)
    assert wrong.status_code == 200
    assert not ErasureRequest.objects.exists()
    first = services.erasure_request(user=owner, current_password=PASSWORD)
    assert services.erasure_request(user=owner, current_password=PASSWORD) == first
    assert ErasureRequest.objects.count() == 1


def test_another_tenants_administrator_cannot_carry_out_a_request(tenants, owner_with_history):
    owner = owner_with_history["owner"]
    actor = user_create(login="admin-a", password=STAFF_PASSWORD, role="tenant_admin")
    request = services.erasure_record(user=owner, actor=actor, reason="list")
    connection.set_tenant(tenants.b)
    b_admin = Client()
    login_verified_staff(
        b_admin,
        "beta.localhost",
        user_create(login="admin-b", password=STAFF_PASSWORD, role="tenant_admin"),
        STAFF_PASSWORD,
    )
    answer = b_admin.post(
        f"/office/privacy/erasure/{request.pk}/carry-out", HTTP_HOST="beta.localhost"
    )
    assert answer.status_code == 404
    connection.set_tenant(tenants.a)
    assert ErasureRequest.objects.get(pk=request.pk).status == ErasureRequest.Status.PENDING
    assert User.objects.get(pk=owner.pk).is_active


def test_proofs_of_consent_go_six_full_years_after_the_erasure_and_not_a_day_before(
    admin, owner_with_history
):
    """Kept "as long as the account exists, then 6 years": the years run from the erasure, and
    the neighbour, still a customer, keeps every proof."""
    owner, neighbour = owner_with_history["owner"], owner_with_history["neighbour"]
    accepted = services.document_publish(kind="privacy_notice", title="Klauzula")
    DocumentAcceptance.objects.create(user=neighbour, document=accepted)
    k1, k2 = Customer.objects.get(erp_id="K1"), Customer.objects.get(erp_id="K2")
    for customer in (k1, k2):
        EInvoiceConsentEvent.objects.create(customer=customer, action="activated", email="x@y.pl")
    actor = User.objects.get(username="admin-rodo")
    request = services.erasure_record(user=owner, actor=actor, reason="pismo z 1.12.2026")
    services.erasure_carry_out(request_id=request.pk, actor=actor)
    request.refresh_from_db()
    erased_in = timezone.localdate(request.done_at).year
    kept = request.outcome["identity.DocumentAcceptance"]
    assert (kept["action"], kept["until"]) == ("keep", f"{erased_in + 7}-01-01")

    last_day = date(erased_in + 6, 12, 31)
    report = personal_data.apply_retention(last_day)
    assert report["identity.DocumentAcceptance"]["deleted"] == 0
    assert DocumentAcceptance.objects.filter(user=owner).exists()

    report = personal_data.apply_retention(date(erased_in + 7, 1, 1))
    assert report["identity.DocumentAcceptance"] == {
        "rule": "consent_proof",
        "deleted": 1,
        "blocked": 0,
    }
    assert not DocumentAcceptance.objects.filter(user=owner).exists()
    assert DocumentAcceptance.objects.filter(user=neighbour).count() == 1
    # the e-invoice's history of the erased customer record goes too, the neighbour's stays
    assert not EInvoiceConsentEvent.objects.filter(customer=k1).exists()
    assert EInvoiceConsentEvent.objects.filter(customer=k2).count() == 1
