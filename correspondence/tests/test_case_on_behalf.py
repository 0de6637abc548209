"""The office files a case for a customer (from the card): the customer's own case in the
portal, told by e-mail, the clerk's record from the office; a data change is not filed this
way; only staff who answer cases, only the tenant's own customers."""

import pytest
from django.db import connection
from django.test import Client

from core.errors import ApplicationError
from core.outbox.models import Message
from correspondence import selectors, services
from correspondence.models import Case
from correspondence.tests.conftest import PASSWORD
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


@pytest.fixture
def desk(people):
    client = Client()
    login_verified_staff(client, HOST, people["staff"], PASSWORD)
    return client


def test_a_clerk_files_a_case_the_customer_then_follows(desk, people):
    k1 = people["k1"]
    page = desk.get(f"/office/cases/new/{k1.pk}/", HTTP_HOST=HOST)
    assert page.status_code == 200
    response = desk.post(
        f"/office/cases/new/{k1.pk}/",
        {
            "kind": "failure",
            "premises": people["m1"].pk,
            "text": "Klient zgłasza przeciek w piwnicy.",
        },
        HTTP_HOST=HOST,
    )
    case = Case.objects.get()
    assert response["Location"] == f"/office/cases/{case.pk}/"
    assert (case.customer, case.created_by, case.contact_email) == (
        k1,
        people["staff"],
        "jan@example.com",
    )
    first = case.messages.get()
    assert first.author == people["staff"]
    assert list(selectors.case_list(actor=people["owner"])) == [case]
    assert Message.objects.filter(recipient="jan@example.com", template="case_received").exists()


def test_a_data_change_and_bad_input_are_refused_and_change_nothing(desk, people):
    k1 = people["k1"]
    change = desk.post(
        f"/office/cases/new/{k1.pk}/", {"kind": "data_change", "text": "x"}, HTTP_HOST=HOST
    )
    assert change.status_code == 400
    empty = desk.post(
        f"/office/cases/new/{k1.pk}/", {"kind": "failure", "text": ""}, HTTP_HOST=HOST
    )
    assert empty.status_code == 400
    other = desk.post(
        f"/office/cases/new/{k1.pk}/",
        {"kind": "failure", "premises": people["m2"].pk, "text": "Nie jego lokal."},
        HTTP_HOST=HOST,
    )
    assert other.status_code == 400
    assert not Case.objects.exists()


def test_only_staff_who_answer_cases_and_never_another_tenants_customer(desk, people, tenants):
    customer = Client()
    login(customer, HOST, "L0000001", PASSWORD)
    assert customer.get(f"/office/cases/new/{people['k1'].pk}/", HTTP_HOST=HOST).status_code == 403
    with pytest.raises(ApplicationError) as refused:
        services.case_file_for_customer(
            actor=people["owner"],
            customer_id=people["k1"].pk,
            draft=services.CaseDraft(kind="failure", subject="x", text="y"),
        )
    assert refused.value.status == 403
    assert desk.get("/office/cases/new/999999/", HTTP_HOST=HOST).status_code == 404
    connection.set_tenant(tenants.a)
    assert not Case.objects.exists()
