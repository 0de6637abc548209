"""The customer's own contact data on Moje konto and in the API (#12 item 9): editing with the
current password for e-mail and phone, the correspondence address, and erasing it all."""

import re

import pytest
from django.test import Client

from billing.importing import import_text
from billing.services import customer_account_attach
from core.outbox.models import Message
from identity.models import AuthEvent, CorrespondenceAddress
from identity.services import user_create
from identity.tests.conftest import login

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
ADDRESS = {
    "country": "Polska",
    "postcode": "87-100",
    "post_office": "Toruń",
    "town": "Toruń",
    "street": "Różana",
    "house_no": "2",
    "flat_no": "34",
}


@pytest.fixture
def member(alpha):
    from billing.models import Customer

    import_text(
        "customers",
        "erp_id;symbol;kind;name;street;building_no;flat_no;postcode;city;membership_number\n"
        "K1;L0000001;individual;Jan Testowy;Leśna;1;2;87-100;Toruń;CZ/0042\n"
        "K2;L0000002;individual;Ewa Obca;Polna;5;6;87-100;Toruń;CZ/0099\n",
    )
    user = user_create(
        login="L0000001",
        password="RyBa18$05",
        email="jan@example.com",
        customer_symbol="L0000001",
        first_name="Jan",
        last_name="Testowy",
    )
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=user)
    return user


def _logged_in(client):
    assert login(client, HOST, "L0000001", "RyBa18$05").status_code == 302
    client.post("/account/terms/", {}, HTTP_HOST=HOST)
    return client


def _form(**changes):
    return {"email": "jan@example.com", "phone": "", **ADDRESS, **changes}


def test_account_page_shows_seed_as_fields_of_the_customer_record(client, member):
    page = _logged_in(client).get("/account/", HTTP_HOST=HOST).content.decode()
    for text in ("CZ/0042", "Leśna", "87-100", "Toruń", "Numer członkowski", "Poczta"):
        assert text in page
    assert "CZ/0099" not in page  # another customer's record
    assert "Polna" not in page


def test_address_is_saved_without_the_password_and_bad_input_changes_nothing(client, member):
    client = _logged_in(client)
    bad = client.post("/account/", _form(postcode="87100", town=""), HTTP_HOST=HOST)
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Polski kod pocztowy zapisuje się jako 00-000." in body
    assert "To pole jest wymagane." in body
    assert not CorrespondenceAddress.objects.exists()
    saved = client.post("/account/", _form(), HTTP_HOST=HOST)
    assert saved.status_code == 302
    address = CorrespondenceAddress.objects.get(user=member)
    assert str(address) == "Różana 2/34, 87-100 Toruń"
    assert AuthEvent.objects.filter(kind="contact_changed", user=member).exists()


def test_a_new_email_or_phone_needs_the_current_password_and_tells_the_old_address(
    client, member, django_capture_on_commit_callbacks
):
    client = _logged_in(client)
    refused = client.post(
        "/account/", _form(email="nowy@example.com", phone="600 100 200"), HTTP_HOST=HOST
    )
    assert refused.status_code == 400
    assert "Podaj aktualne hasło" in refused.content.decode()
    member.refresh_from_db()
    assert (member.email, member.phone) == ("jan@example.com", "")
    wrong = client.post(
        "/account/", _form(email="nowy@example.com", current_password="zle"), HTTP_HOST=HOST
    )
    assert wrong.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/account/",
            _form(email="Nowy@Example.com", phone="600 100 200", current_password="RyBa18$05"),
            HTTP_HOST=HOST,
        )
    assert done.status_code == 302
    member.refresh_from_db()
    # The phone changes now; the new address only once its owner opens the link sent there.
    assert (member.email, member.pending_email, member.phone) == (
        "jan@example.com",
        "nowy@example.com",
        "600 100 200",
    )
    told = Message.objects.filter(recipient="jan@example.com").latest("pk")
    assert "Nowy adres e-mail" in told.subject
    link = re.search(
        r"(/account/email/confirm/[^/\s]+/)",
        Message.objects.filter(recipient="nowy@example.com").latest("pk").body_text,
    ).group(1)
    scanner = Client().get(link, HTTP_HOST=HOST)  # a mail scanner following the link
    assert scanner.status_code == 200
    member.refresh_from_db()
    assert member.email == "jan@example.com"
    assert Client().post(link, HTTP_HOST=HOST).status_code == 302
    member.refresh_from_db()
    assert (member.email, member.pending_email) == ("nowy@example.com", "")
    assert Client().post(link, HTTP_HOST=HOST).status_code == 410  # once
    invalid = client.post(
        "/account/", _form(email="nie-adres", current_password="RyBa18$05"), HTTP_HOST=HOST
    )
    assert invalid.status_code == 400


def test_the_same_email_in_other_letters_is_no_change_and_asks_nothing(client, member):
    """Saving the address alone must not ask for the password because the e-mail was typed in
    other capitals (a wrong guess would count towards the lock)."""
    member.email = "Jan@Example.com"
    member.save()
    client = _logged_in(client)
    saved = client.post("/account/", _form(email="jan@example.com"), HTTP_HOST=HOST)
    assert saved.status_code == 302
    assert not AuthEvent.objects.filter(kind="reauthentication_failed").exists()


def test_only_the_phone_changes_without_an_address_and_the_email_cannot_be_removed(client, member):
    """The form always sends the country: that alone is no address to check."""
    client = _logged_in(client)
    form = {
        "email": "jan@example.com",
        "phone": "600100200",
        "country": "Polska",
        "current_password": "RyBa18$05",
    }
    assert client.post("/account/", form, HTTP_HOST=HOST).status_code == 302
    member.refresh_from_db()
    assert member.phone == "600100200"
    assert not CorrespondenceAddress.objects.filter(user=member).exists()
    kept = client.post(
        "/account/", {**form, "email": "", "current_password": "RyBa18$05"}, HTTP_HOST=HOST
    )
    assert kept.status_code == 400  # preset A recovers passwords by e-mail
    member.refresh_from_db()
    assert member.email == "jan@example.com"


def test_delete_my_contact_data_asks_first_then_erases(client, member):
    client = _logged_in(client)
    client.post("/account/", _form(phone="600100200", current_password="RyBa18$05"), HTTP_HOST=HOST)
    assert CorrespondenceAddress.objects.filter(user=member).exists()
    page = client.get("/account/", HTTP_HOST=HOST).content.decode()
    assert 'href="/account/contact/erase/"' in page
    confirm = client.get("/account/contact/erase/", HTTP_HOST=HOST)
    assert confirm.status_code == 200
    member.refresh_from_db()
    assert member.phone == "600100200"  # asking changes nothing
    client.post("/account/contact/erase/", HTTP_HOST=HOST)
    member.refresh_from_db()
    assert member.phone == ""
    assert member.email == "jan@example.com"  # preset A recovers by e-mail: it stays
    assert not CorrespondenceAddress.objects.filter(user=member).exists()


def test_the_api_edits_the_same_data_under_the_same_rules(client, member):
    token = client.post(
        "/api/v1/auth/login",
        {"login": "L0000001", "password": "RyBa18$05"},
        content_type="application/json",
        HTTP_HOST=HOST,
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": HOST}
    refused = client.patch(
        "/api/v1/me", {"email": "x@example.com"}, content_type="application/json", **auth
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "wrong_current_password"
    bad = client.patch(
        "/api/v1/me",
        {"correspondence_address": {**ADDRESS, "postcode": "1"}},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400
    assert "address.postcode" in bad.json()["fields"]
    done = client.patch(
        "/api/v1/me", {"correspondence_address": ADDRESS}, content_type="application/json", **auth
    )
    assert done.status_code == 200
    assert done.json()["correspondence_address"]["house_no"] == "2"
    assert client.delete("/api/v1/me/contact", **auth).status_code == 204
    assert client.get("/api/v1/me", **auth).json()["correspondence_address"] is None
