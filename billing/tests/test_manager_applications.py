"""A property manager applies on the public form; the office finds the premises, approves with
grants (the manager gets a set-password link and sees only those premises) or rejects with a
reason."""

import re

import pytest
from django.db import connection

from billing.models import ManagerApplication, ManagerCompany, PremisesGrant
from core.outbox.models import Message
from identity.services import user_create
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
FORM = {
    "company_name": "Zarządca Leśna sp. z o.o.",
    "nip": "954-275-13-68",
    "contact_person": "Anna Zarządzająca",
    "email": "biuro@zarzadca.example",
    "phone": "600100200",
    "addresses": "Leśna 1 m. 1\nLeśna 1 m. 2",
}


@pytest.fixture
def with_managers(set_modules):
    set_modules("charges", "property_managers")


@pytest.fixture
def office(client, tenants):
    connection.set_tenant(tenants.a)
    user = user_create(login="bok", password="BiUr42#ok", role="customer_service")
    login_verified_staff(client, HOST, user, "BiUr42#ok")
    return user


def test_the_form_is_offered_only_with_the_module(client, tenants):
    connection.set_tenant(tenants.a)
    assert client.get("/managers/apply/", HTTP_HOST=HOST).status_code == 403


def test_an_invalid_nip_is_refused_and_nothing_is_stored(client, with_managers):
    response = client.post("/managers/apply/", {**FORM, "nip": "9542751369"}, HTTP_HOST=HOST)
    assert response.status_code == 400
    assert "Numer NIP jest nieprawidłowy" in response.content.decode()
    assert not ManagerApplication.objects.exists()
    assert not Message.objects.filter(recipient=FORM["email"]).exists()


def test_apply_approve_set_password_and_see_only_the_granted_premises(
    client, estate, with_managers, office
):
    anonymous = client.__class__()
    assert "/managers/apply/" in anonymous.get("/login/", HTTP_HOST=HOST).content.decode()
    response = anonymous.post("/managers/apply/", FORM, HTTP_HOST=HOST)
    assert response.status_code == 200
    application = ManagerApplication.objects.get()
    assert application.nip == "9542751368"
    assert Message.objects.filter(recipient=FORM["email"]).count() == 1

    page = client.get("/office/managers/", {"q": "Leśna 1"}, HTTP_HOST=HOST).content.decode()
    assert "Zarządca Leśna" in page
    m1 = estate["premises"]["M1"]
    assert f'value="{m1}"' in page
    assert f'value="{estate["premises"]["M3"]}"' not in page  # Polna is not found

    # approving without premises is refused and changes nothing
    client.post(f"/office/managers/{application.pk}/decide/", {}, HTTP_HOST=HOST)
    application.refresh_from_db()
    assert application.status == "pending"

    client.post(
        f"/office/managers/{application.pk}/decide/", {"premises": [str(m1)]}, HTTP_HOST=HOST
    )
    application.refresh_from_db()
    assert application.status == "approved"
    company = ManagerCompany.objects.get(nip="9542751368")
    assert list(
        PremisesGrant.objects.filter(company=company).values_list("premises_id", flat=True)
    ) == [m1]
    mail = Message.objects.filter(recipient=FORM["email"]).order_by("-pk").first()
    link = re.search(r"https?://[^\s]+/password/set/[^\s/]+/", mail.body_text).group(0)
    path = link.split(HOST, 1)[1]
    assert (
        anonymous.post(
            path,
            {"new_password": "ZarZadca1!x#9", "new_password_repeat": "ZarZadca1!x#9"},
            HTTP_HOST=HOST,
        ).status_code
        == 302
    )
    login(anonymous, HOST, FORM["email"], "ZarZadca1!x#9")
    body = anonymous.get("/api/v1/charges", HTTP_HOST=HOST).json()
    assert {row["premises_id"] for row in body["results"]} == {m1}
    # deciding twice is refused
    client.post(
        f"/office/managers/{application.pk}/decide/", {"premises": [str(m1)]}, HTTP_HOST=HOST
    )
    assert PremisesGrant.objects.filter(company=company).count() == 1


def test_rejection_needs_a_reason_and_mails_it(client, with_managers, office):
    application = ManagerApplication.objects.create(
        **{**FORM, "nip": "9542751368", "addresses": "Leśna 1"}
    )
    client.post(
        f"/office/managers/{application.pk}/decide/", {"decision": "reject"}, HTTP_HOST=HOST
    )
    application.refresh_from_db()
    assert application.status == "pending"
    client.post(
        f"/office/managers/{application.pk}/decide/",
        {"decision": "reject", "reason": "Nie administruje Pan tym budynkiem."},
        HTTP_HOST=HOST,
    )
    application.refresh_from_db()
    assert application.status == "rejected"
    mail = Message.objects.filter(recipient=FORM["email"]).get()
    assert "Nie administruje Pan tym budynkiem." in mail.body_text


def test_customers_and_managers_cannot_open_the_review(client, estate, with_managers):
    for user in (estate["customer"], estate["full"]):
        client.force_login(user)
        assert client.get("/office/managers/", HTTP_HOST=HOST).status_code == 403
        application = ManagerApplication.objects.create(**{**FORM, "nip": "9542751368"})
        response = client.post(
            f"/office/managers/{application.pk}/decide/",
            {"premises": [str(estate["premises"]["M3"])]},
            HTTP_HOST=HOST,
        )
        assert response.status_code == 403
        application.refresh_from_db()
        assert application.status == "pending"


def test_office_revokes_a_grant_and_the_manager_loses_the_premises(client, estate, office):
    from billing.models import GrantEvent

    grant = PremisesGrant.objects.get(company__members__user=estate["partial"])
    page = client.get("/office/managers/", HTTP_HOST=HOST).content.decode()
    assert f"/office/managers/grants/{grant.pk}/revoke/" in page
    client.post(f"/office/managers/grants/{grant.pk}/revoke/", HTTP_HOST=HOST)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert GrantEvent.objects.filter(grant=grant, action="revoked", actor="bok").exists()
    assert (
        f"/office/managers/grants/{grant.pk}/revoke/"
        not in client.get("/office/managers/", HTTP_HOST=HOST).content.decode()
    )
    other = client.__class__()
    other.force_login(estate["partial"])
    assert other.get("/api/v1/charges", HTTP_HOST=HOST).json()["results"] == []
    # a manager cannot revoke anything
    full = PremisesGrant.objects.filter(company__members__user=estate["full"]).first()
    assert other.post(f"/office/managers/grants/{full.pk}/revoke/", HTTP_HOST=HOST).status_code in (
        302,
        403,
    )
    full.refresh_from_db()
    assert full.revoked_at is None


def test_bad_approvals_are_refused_and_change_nothing(client, estate, with_managers, office):
    from billing.models import ManagerMembership

    application = ManagerApplication.objects.create(**{**FORM, "nip": "9542751368"})
    m1 = str(estate["premises"]["M1"])
    decide = f"/office/managers/{application.pk}/decide/"
    attempts = [
        ({"premises": [m1], "valid_to": "2000-01-01"}, "nie może być przed"),  # ends before today
        ({"premises": ["999999"]}, "Wybierz lokale"),  # forged premises id
        ({"premises": [m1], "valid_to": "jutro"}, "Wpisz poprawną datę"),
    ]
    for data, message in attempts:
        page = client.post(decide, data, HTTP_HOST=HOST, follow=True).content.decode()
        assert message in page
    # the applicant's e-mail is already a customer's login
    user_create(login=FORM["email"], password="x")
    page = client.post(decide, {"premises": [m1]}, HTTP_HOST=HOST, follow=True).content.decode()
    assert "należy już do innego konta" in page
    application.refresh_from_db()
    assert application.status == "pending"
    assert not ManagerCompany.objects.filter(nip="9542751368").exists()
    assert not ManagerMembership.objects.filter(user__username=FORM["email"]).exists()
    assert not Message.objects.filter(recipient=FORM["email"]).exists()


def test_a_nul_character_in_the_premises_search_is_no_error(client, with_managers, office):
    """#12 item 15: `?q=%00` answered 500 (PostgreSQL refuses NUL in text)."""
    response = client.get("/office/managers/", {"q": "Leśna\x00"}, HTTP_HOST=HOST)
    assert response.status_code == 200


def test_premises_search_reads_addresses_as_people_type_them_and_keeps_ticks(
    client, with_managers, office
):
    """#12 item 15: "Modrzewiowa 1/7" found nothing, the list sorted "10" before "2", stopped at
    100 without a word, and a new search lost the premises already ticked."""
    from billing.importing import import_text
    from billing.models import Premises

    rows = "\n".join(
        f"MZ{b}-{f};residential;Modrzewiowa;{b};{f};Lipiny"
        for b in (1, 2, 10)
        for f in range(1, 41)
    )
    import_text("premises", "erp_id;kind;street;building_no;flat_no;city\n" + rows + "\n")
    import_text(
        "premises", "erp_id;kind;street;building_no;flat_no;city\nP1;residential;Polna;3;1;X\n"
    )
    application = ManagerApplication.objects.create(**{**FORM, "nip": "9542751368"})
    url = f"/office/managers/{application.pk}/decide/"
    page = client.post(
        url, {"decision": "search", "q": "ul. Modrzewiowa 1/7"}, HTTP_HOST=HOST
    ).content.decode()
    wanted = Premises.objects.get(erp_id="MZ1-7").pk
    assert re.findall(r'name="premises" value="(\d+)"', page) == [str(wanted)]
    # Building 2 comes before building 10; flats 1, 2 … 10 in that order.
    page = client.post(url, {"decision": "search", "q": "Modrzewiowa"}, HTTP_HOST=HOST)
    order = [
        Premises.objects.get(pk=int(pk))
        for pk in re.findall(r'name="premises" value="(\d+)"', page.content.decode())
    ]
    assert [(p.building_no, p.flat_no) for p in order[38:43]] == [
        ("1", "39"),
        ("1", "40"),
        ("2", "1"),
        ("2", "2"),
        ("2", "3"),
    ]
    assert len(order) == 100
    assert "Pasuje więcej niż 100 lokali" in page.content.decode()
    # Ticks stay through a new search, at the top and ticked.
    page = client.post(
        url, {"decision": "search", "q": "Polna 3/1", "premises": [str(wanted)]}, HTTP_HOST=HOST
    ).content.decode()
    assert f'value="{wanted}" checked' in page
    polna = Premises.objects.get(erp_id="P1").pk
    assert f'value="{polna}">' in page
    client.post(url, {"decision": "approve", "premises": [str(wanted), str(polna)]}, HTTP_HOST=HOST)
    assert set(PremisesGrant.objects.values_list("premises_id", flat=True)) == {wanted, polna}
