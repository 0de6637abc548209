"""Registration flows end to end: C (contract, activation link, one-time password) and A (staff
review, set-password link), with their refusal paths and tenant isolation."""

import re
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from billing.importing import import_text
from billing.models import Customer
from core.outbox.models import Message
from identity.models import (
    ConsentRecord,
    DocumentAcceptance,
    OneTimeToken,
    RegistrationRequest,
    User,
)
from identity.services import document_publish, user_create
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
C_HOST, A_HOST = "beta.localhost", "alpha.localhost"
PESEL = "44051401359"


@pytest.fixture
def energy(tenants):
    """Tenant B of the tests runs preset C: customers with contracts, documents to accept."""
    connection.set_tenant(tenants.b)
    import_text(
        "customers",
        "erp_id;symbol;kind;name;pesel;nip\n"
        f"K1;K0000001;individual;Jan Prądowy;{PESEL};\n"
        "K2;K0000002;business;Firma Iskierka Sp. z o.o.;;5260250274\n"
        "K3;K0000003;individual;Ewa Szkicowa;02070803628;\n",
    )
    import_text(
        "contracts",
        "erp_id;number;customer_erp_id;kind;status\n"
        "U1;UM/1/2026;K1;energy;signed_by_customer\n"
        "U2;UM/2/2026;K2;energy;active\n"
        "U3;UM/3/2026;K3;energy;draft\n",
    )
    docs = [
        document_publish(kind="regulations", title="Regulamin", body="…"),
        document_publish(kind="cookies_policy", title="Cookies", body="…"),
    ]
    return {f"accept_{d.kind}": "on" for d in docs}


def _form(consents, **fields):
    base = {
        "customer_type": "individual",
        "pesel_or_nip": PESEL,
        "contract_number": "UM/1/2026",
        "login": "",
        "login_repeat": "",
        "mobile_phone": "+48 600 000 001",
        "email": "jan@example.com",
        **consents,
    }
    base.update(fields)
    return base


def _link(to: str, path: str) -> str:
    body = Message.objects.filter(recipient=to).latest("pk").body_text
    return re.search(rf"https?://[^\s]+({path}[^\s/]+/)", body).group(1)


def test_flow_c_from_empty_form_to_first_login(client, energy):
    page = client.get("/register/", HTTP_HOST=C_HOST).content.decode()
    assert "Numer umowy" in page
    assert "Typ klienta" in page
    done = client.post("/register/", _form(energy), HTTP_HOST=C_HOST)
    assert done.status_code == 200
    assert "Udało się!" in done.content.decode()
    activation = _link("jan@example.com", "/register/activate/")
    activated = client.get(activation, HTTP_HOST=C_HOST)
    assert "Aktywacja konta przebiegła pomyślnie" in activated.content.decode()
    code = re.search(
        r"(?:Hasło jednorazowe|One-time password): (\S+)",
        Message.objects.filter(recipient="jan@example.com").latest("pk").body_text,
    ).group(1)
    assert login(client, C_HOST, PESEL, code).status_code == 302  # the login is the PESEL
    assert client.get("/", HTTP_HOST=C_HOST)["Location"] == "/account/password/change/"
    client.post(
        "/account/password/change/",
        {
            "current_password": code,
            "new_password": "Prad2026moj",
            "new_password_repeat": "Prad2026moj",
        },
        HTTP_HOST=C_HOST,
    )
    home = client.get("/", HTTP_HOST=C_HOST)
    assert home.status_code == 200  # the documents were accepted in the form
    user = User.objects.get(customers__erp_id="K1")
    assert PESEL not in user.username
    assert Customer.objects.get(erp_id="K1").user == user
    assert user.acceptances.count() == 2


def test_flow_c_missing_fields_use_the_seeds_message(client, energy):
    response = client.post("/register/", {}, HTTP_HOST=C_HOST)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Pole Numer umowy jest wymagane" in body
    assert "Pole Adres e-mail jest wymagane" in body
    assert not RegistrationRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pesel_or_nip": "44051401358"}, "Numer PESEL jest nieprawidłowy"),
        ({"login": "jan", "login_repeat": "janek"}, "Loginy nie są takie same"),
        (
            {"contract_number": "UM/2/2026"},
            "Twoje dane nie zostały rozpoznane",
        ),  # someone else's contract
        ({"contract_number": "UM/404"}, "Twoje dane nie zostały rozpoznane"),
        (
            {"pesel_or_nip": "02070803628", "contract_number": "UM/3/2026"},
            "co najmniej podpisanej przez klienta",
        ),
    ],
)
def test_flow_c_refusals_create_no_account(client, energy, changes, message):
    response = client.post("/register/", _form(energy, **changes), HTTP_HOST=C_HOST)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_flow_c_business_by_nip(client, energy):
    response = client.post(
        "/register/",
        _form(
            energy,
            customer_type="business",
            pesel_or_nip="526-025-02-74",
            contract_number="UM/2/2026",
            email="firma@example.com",
        ),
        HTTP_HOST=C_HOST,
    )
    assert "Udało się!" in response.content.decode()
    assert User.objects.get(customers__erp_id="K2").username == "5260250274"


def test_flow_c_second_account_is_refused_and_the_owner_told(client, energy):
    client.post("/register/", _form(energy), HTTP_HOST=C_HOST)
    second = client.post(
        "/register/",
        _form(energy, email="intruz@example.com", login="inny", login_repeat="inny"),
        HTTP_HOST=C_HOST,
    )
    assert second.status_code == 400
    assert "Konto dla tego klienta już istnieje" in second.content.decode()
    assert Message.objects.filter(
        recipient="jan@example.com", subject__icontains="rejestr"
    ).exists()
    assert User.objects.count() == 1


def test_flow_c_activation_link_used_or_expired(client, energy):
    client.post("/register/", _form(energy), HTTP_HOST=C_HOST)
    link = _link("jan@example.com", "/register/activate/")
    assert client.get(link, HTTP_HOST=C_HOST).status_code == 200
    assert client.get(link, HTTP_HOST=C_HOST).status_code == 410
    client.post(
        "/register/",
        _form(
            energy,
            customer_type="business",
            pesel_or_nip="5260250274",
            contract_number="UM/2/2026",
            email="firma@example.com",
        ),
        HTTP_HOST=C_HOST,
    )
    other = _link("firma@example.com", "/register/activate/")
    OneTimeToken.objects.filter(purpose="activation", used_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(other, HTTP_HOST=C_HOST).status_code == 410


def test_flow_c_api(client, energy):
    form = client.get("/api/v1/registration", HTTP_HOST=C_HOST).json()
    assert form["flow"] == "contract_activation"
    assert {f["name"] for f in form["fields"]} >= {
        "customer_type",
        "pesel_or_nip",
        "contract_number",
        "email",
    }
    bad = client.post("/api/v1/registration", {}, content_type="application/json", HTTP_HOST=C_HOST)
    assert bad.status_code == 400
    assert bad.json()["fields"]["contract_number"][0]["code"] == "required"
    ok = client.post(
        "/api/v1/registration", _form(energy), content_type="application/json", HTTP_HOST=C_HOST
    )
    assert ok.json() == {"status": "activation_sent"}
    token = _link("jan@example.com", "/register/activate/").rstrip("/").rsplit("/", 1)[1]
    assert client.post(
        "/api/v1/registration/activate",
        {"token": token},
        content_type="application/json",
        HTTP_HOST=C_HOST,
    ).json() == {"status": "active"}
    again = client.post(
        "/api/v1/registration/activate",
        {"token": token},
        content_type="application/json",
        HTTP_HOST=C_HOST,
    )
    assert (again.status_code, again.json()["code"]) == (410, "link_used")


def test_customer_of_tenant_a_cannot_register_on_tenant_b(client, energy, tenants):
    connection.set_tenant(tenants.a)
    import_text(
        "customers", f"erp_id;symbol;kind;name;pesel\nX1;L0000077;individual;Obcy;{PESEL[:-1]}9\n"
    )
    import_text(
        "contracts", "erp_id;number;customer_erp_id;kind;status\nXU;UM/A/1;X1;housing;active\n"
    )
    connection.set_tenant(tenants.b)
    response = client.post("/register/", _form(energy, contract_number="UM/A/1"), HTTP_HOST=C_HOST)
    assert response.status_code == 400
    assert "Twoje dane nie zostały rozpoznane" in response.content.decode()


# --- flow A: staff review --------------------------------------------------------------------------


@pytest.fixture
def cooperative(tenants):
    connection.set_tenant(tenants.a)
    import_text("customers", "erp_id;symbol;kind;name\nK1;L0004880;individual;Jan Spółdzielca\n")
    document_publish(kind="e_services_policy", title="Polityka ŚUDE", body="…")
    staff = user_create(login="bok", password="BiUr42#ok", role="customer_service")
    return staff


def _as_verified_staff(client, staff):
    login_verified_staff(client, A_HOST, staff, "BiUr42#ok")
    from identity.models import Document

    client.post(
        "/account/terms/", {f"doc_{d.pk}": "on" for d in Document.objects.all()}, HTTP_HOST=A_HOST
    )


def test_flow_a_request_approved_by_staff_then_set_password_link(client, cooperative):
    from django.test import Client

    applicant = Client()
    form = {
        "service": "e-BOM",
        "customer_symbol": "l0004880",
        "full_name": "Jan Spółdzielca",
        "email": "jan@example.com",
        "accept_e_services_policy": "on",
    }
    done = applicant.post("/register/", form, HTTP_HOST=A_HOST)
    assert (
        "Otrzymaliśmy Twoje zgłoszenie" in done.content.decode()
        or "Zgłoszenie przyjęte" in done.content.decode()
    )
    request = RegistrationRequest.objects.get()
    assert request.status == "awaiting_review"
    _as_verified_staff(client, cooperative)
    queue = client.get("/office/registrations/", HTTP_HOST=A_HOST).content.decode()
    assert "L0004880" in queue
    # Staff were shown the matched customer record: recorded (SECURITY.md G3).
    from billing.models import Customer
    from identity.models import StaffAccess

    shown = Customer.objects.get(symbol="L0004880").pk
    assert list(
        StaffAccess.objects.values_list("actor", "customer_id", "field_group", "purpose")
    ) == [(cooperative.pk, shown, "identity", "registration_review")]
    client.post(
        f"/office/registrations/{request.pk}/decide/", {"decision": "approve"}, HTTP_HOST=A_HOST
    )
    request.refresh_from_db()
    assert request.status == "completed"
    mail = Message.objects.filter(recipient="jan@example.com").latest("pk")
    assert mail.body_text.startswith("Dzień dobry L0004880,")
    link = _link("jan@example.com", "/password/set/")
    assert "L0004880" in applicant.get(link, HTTP_HOST=A_HOST).content.decode()
    applicant.post(
        link, {"new_password": "RyBa18$05", "new_password_repeat": "RyBa18$05"}, HTTP_HOST=A_HOST
    )
    assert login(applicant, A_HOST, "L0004880", "RyBa18$05").status_code == 302
    assert applicant.get(link, HTTP_HOST=A_HOST).status_code == 410


def test_flow_a_rejection_needs_a_reason_and_tells_the_applicant(client, cooperative):
    from django.test import Client

    Client().post(
        "/register/",
        {
            "service": "e-BOPG",
            "customer_symbol": "L0009999",
            "full_name": "Ktoś",
            "email": "ktos@example.com",
            "accept_e_services_policy": "on",
        },
        HTTP_HOST=A_HOST,
    )
    request = RegistrationRequest.objects.get()
    _as_verified_staff(client, cooperative)
    client.post(
        f"/office/registrations/{request.pk}/decide/",
        {"decision": "reject", "reason": ""},
        HTTP_HOST=A_HOST,
    )
    request.refresh_from_db()
    assert request.status == "awaiting_review"
    client.post(
        f"/office/registrations/{request.pk}/decide/",
        {"decision": "reject", "reason": "Nie znaleźliśmy takiego symbolu."},
        HTTP_HOST=A_HOST,
    )
    request.refresh_from_db()
    assert request.status == "rejected"
    assert (
        "Nie znaleźliśmy takiego symbolu."
        in Message.objects.filter(recipient="ktos@example.com").latest("pk").body_text
    )
    assert not User.objects.filter(email="ktos@example.com").exists()


def test_in_person_tenant_has_no_online_form(client, tenants, django_capture_on_commit_callbacks):
    from tenants.services import tenant_setting_set

    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.b,
            key="registration",
            actor="t",
            value={
                "flow": "in_person",
                "online": False,
                "fields": [],
                "verification": "none",
                "credentials": "in_person_letter",
                "required_documents": ["regulations"],
            },
        )
    assert (
        client.get("/api/v1/registration", HTTP_HOST=C_HOST).json()["code"] == "registration_closed"
    )
    assert "w biurze" in client.get("/register/", HTTP_HOST=C_HOST).content.decode()


# --- flow B: verified self-service with the digit-position check -----------------------------------


@pytest.fixture
def piast(tenants, django_capture_on_commit_callbacks):
    """Tenant A of the tests switched to preset B's registration (settings are data)."""
    from tenants import policies
    from tenants.presets import preset
    from tenants.services import tenant_setting_set

    b = preset("B", name="SM Test")
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a, key="registration", actor="t", value=policies.dump(b.registration)
        )
        tenant_setting_set(
            tenant=tenants.a, key="login_identifiers", actor="t", value=["customer_symbol", "email"]
        )
    connection.set_tenant(tenants.a)
    import_text(
        "customers",
        f"erp_id;symbol;kind;name;pesel\nK1;100123;individual;Zenon Gwiazdowski;{PESEL}\n",
    )
    import_text(
        "premises",
        "erp_id;kind;street;building_no;flat_no;city\nM1;residential;Gwiezdna;10b;7;Toruńsko\n",
    )
    import_text(
        "legal-titles", "erp_id;customer_erp_id;premises_erp_id;valid_from\nT1;K1;M1;2020-01-01\n"
    )
    document_publish(kind="regulations", title="Regulamin", body="…")


def _b_form(client, **changes):
    from identity.registration import captcha

    page = client.get("/register/", HTTP_HOST=A_HOST).content.decode()
    token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    digits = re.search(r"(?:positions|pozycjach) (\d) (?:and|i) (\d) (?:of|ciągu): ([\d ]+)", page)
    first, second, string = (
        int(digits.group(1)),
        int(digits.group(2)),
        digits.group(3).replace(" ", ""),
    )
    answer = string[first - 1] + string[second - 1]
    # The prompt read off the page is the token's challenge: another answer does not pass (and
    # a wrong answer uses nothing up, so the form below can still be sent with the right one).
    wrong = f"{(int(answer[0]) + 1) % 10}{answer[1]}"
    assert captcha.verify(token, wrong) is False
    form = {
        "customer_symbol": "100123",
        "full_name": "Zenon Gwiazdowski",
        "premises_address": "ul. Gwiezdna 10b/7",
        "pesel_or_nip": PESEL,
        "email": "zenon@example.com",
        "email_repeat": "zenon@example.com",
        "phone": "600100200",
        "accept_regulations": "on",
        "gdpr_consent": "on",
        "captcha_token": token,
        "captcha": answer,
    }
    form.update(changes)
    return form


def test_flow_b_background_verification_sends_login_and_temporary_password(
    client, piast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/register/", _b_form(client), HTTP_HOST=A_HOST)
    assert "Zgłoszenie przyjęte" in done.content.decode()
    mails = list(
        Message.objects.filter(recipient="zenon@example.com")
        .order_by("pk")
        .values_list("subject", "body_text")
    )
    assert "Otrzymaliśmy Twoje zgłoszenie" in mails[0][0]
    code = re.search(r"Hasło tymczasowe: (\S+)", mails[-1][1]).group(1)
    assert "Login: 100123" in mails[-1][1]
    # The login the e-mail promises works (#12 item 1: it was the PESEL's storage key), and so
    # does the e-mail address (seed B: "identyfikator lub e-mail").
    from django.test import Client

    assert login(Client(), A_HOST, "100123", code).status_code == 302
    assert login(client, A_HOST, "zenon@example.com", code).status_code == 302
    assert client.get("/", HTTP_HOST=A_HOST)["Location"] == "/account/password/change/"
    assert User.objects.get().shown_login == "100123"
    # the form's GDPR consent and the regulations are kept with the channel they came by
    consent = ConsentRecord.objects.get(user=User.objects.get())
    assert (consent.purpose, consent.granted, consent.channel) == ("service", True, "registration")
    assert DocumentAcceptance.objects.get().channel == "registration"


def test_flow_b_not_recognised_is_told_by_email_with_the_seeds_words(
    client, piast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register/", _b_form(client, premises_address="ul. Inna 1"), HTTP_HOST=A_HOST)
    last = Message.objects.filter(recipient="zenon@example.com").latest("pk").body_text
    assert (
        "Twoje dane nie zostały rozpoznane. Wypełnij formularz o nadanie dostępu jeszcze raz"
        in last
    )
    assert not User.objects.exists()


def test_flow_b_wrong_or_replayed_captcha_and_mismatched_emails(
    client, piast, django_capture_on_commit_callbacks
):
    wrong = client.post("/register/", _b_form(client, captcha="xx"), HTTP_HOST=A_HOST)
    assert wrong.status_code == 400
    assert "Sprawdzenie" in wrong.content.decode() or "human check" in wrong.content.decode()
    mismatch = client.post(
        "/register/", _b_form(client, email_repeat="inny@example.com"), HTTP_HOST=A_HOST
    )
    assert "Adresy e-mail nie są takie same" in mismatch.content.decode()
    form = _b_form(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/register/", form, HTTP_HOST=A_HOST).status_code == 200
    replay = client.post(
        "/register/",
        dict(form, email="drugi@example.com", email_repeat="drugi@example.com"),
        HTTP_HOST=A_HOST,
    )
    assert replay.status_code == 400  # the same challenge cannot be used twice
    assert RegistrationRequest.objects.count() == 1


def test_each_help_is_shown_once_and_described_by_what_exists(client, piast):
    """The page printed every field's help twice (the field's own and the form's copy); the
    human check's question was read twice over. Each field's description is one element."""
    import re

    page = client.get("/register/", HTTP_HOST=A_HOST).content.decode()
    helps = re.findall(r'<p class="help" id="([^"]+)">', page)
    assert "id_captcha_help" in helps
    assert len(helps) == len(set(helps))
    texts = re.findall(r'<p class="help" id="[^"]+">([^<]+)</p>', page)
    assert len(texts) == len(set(texts))
    for described in re.findall(r'aria-describedby="([^"]+)"', page):
        for target in described.split():
            assert f'id="{target}"' in page, target


def test_registration_api_serves_the_captcha(client, piast):
    body = client.get("/api/v1/registration", HTTP_HOST=A_HOST).json()
    assert body["flow"] == "verified_self_service"
    assert body["captcha"]["kind"] == "digit_positions"
    assert body["captcha"]["token"]
    assert {c["name"] for c in body["consents"]} == {"accept_regulations", "gdpr_consent"}


# --- flow D: accounts opened at the office -----------------------------------------------------------


def test_flow_d_staff_open_an_account_and_print_the_letter(client, cooperative):
    _as_verified_staff(client, cooperative)
    letter = client.post("/office/accounts/new/", {"symbol": "L0004880"}, HTTP_HOST=A_HOST)
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert letter["Cache-Control"] == "no-store"
    assert letter.content.startswith(b"%PDF-")
    user = User.objects.get(username="L0004880")
    assert user.must_change_password
    assert Customer.objects.get(erp_id="K1").user == user
    again = client.post("/office/accounts/new/", {"symbol": "L0004880"}, HTTP_HOST=A_HOST)
    assert again.status_code == 400
    unknown = client.post("/office/accounts/new/", {"symbol": "L0000404"}, HTTP_HOST=A_HOST)
    assert "Żaden klient nie ma tego symbolu" in unknown.content.decode()


def test_flow_d_first_login_password_works_and_can_be_reissued(client, cooperative):
    from identity.registration.services import (
        account_create_in_person,
        first_login_password_reissue,
    )

    user, first = account_create_in_person(symbol="L0004880", actor=cooperative)
    assert login(client, A_HOST, "L0004880", first).status_code == 302
    assert client.get("/", HTTP_HOST=A_HOST)["Location"] == "/account/password/change/"
    client.post("/logout/", HTTP_HOST=A_HOST)
    second = first_login_password_reissue(user=user, actor=cooperative)
    assert login(client, A_HOST, "L0004880", first).status_code == 401
    assert login(client, A_HOST, "L0004880", second).status_code == 302


def test_flow_d_office_pages_refuse_customers(client, cooperative):
    client.force_login(user_create(login="L0000001", password="x"))
    assert client.get("/office/accounts/new/", HTTP_HOST=A_HOST).status_code == 403
    assert (
        client.post("/office/accounts/1/first-login-password/", HTTP_HOST=A_HOST).status_code == 403
    )


def test_registration_is_throttled_per_identifier(client, energy):
    statuses = [
        client.post(
            "/register/",
            _form(energy, contract_number="UM/404", email=f"x{i}@example.com"),
            HTTP_HOST=C_HOST,
            REMOTE_ADDR=f"127.0.0.{i + 2}",
        ).status_code
        for i in range(6)
    ]
    assert statuses[:5] == [400] * 5  # not recognised
    assert statuses[5] == 429  # the same PESEL again, whatever the address


# --- flow E: invoice number, image captcha, three e-mails ----------------------------------------------


@pytest.fixture
def water(tenants, django_capture_on_commit_callbacks):
    from tenants import policies
    from tenants.presets import preset
    from tenants.services import tenant_setting_set

    e = preset("E", name="Wodociągi Test")
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.b, key="registration", actor="t", value=policies.dump(e.registration)
        )
        tenant_setting_set(tenant=tenants.b, key="links", actor="t", value=policies.dump(e.links))
    connection.set_tenant(tenants.b)
    import_text(
        "customers",
        "erp_id;symbol;kind;name\nW1;W0000001;individual;Wiesław Kranik\nW2;W0000002;individual;Bez Umowy\n",
    )
    import_text(
        "contracts",
        "erp_id;number;customer_erp_id;kind;status\nWU1;WOD/1;W1;water_sewage;active\nWU2;WOD/2;W2;water_sewage;draft\n",
    )
    import_text(
        "invoices",
        "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
        "F1;FV/W/1;W1;2026-01-01;2026-01-20;99.00\nF2;FV/W/2;W2;2026-01-01;2026-01-20;10.00\n",
    )
    document_publish(kind="regulations", title="Regulamin", body="…")


def _e_form(client, **changes):
    page = client.get("/register/", HTTP_HOST=C_HOST).content.decode()
    token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    assert 'src="data:image/svg+xml;base64,' in page
    a, b = map(int, re.search(r"(\d+) (?:plus|dodać) (\d+)", page).groups())  # the text alternative
    form = {
        "invoice_number": "FV/W/1",
        "email": "wieslaw@example.com",
        "phone": "",
        "accept_regulations": "on",
        "captcha_token": token,
        "captcha": str(a + b),
    }
    form.update(changes)
    return form


def test_flow_e_three_emails_and_login_only_after_the_third(
    client, water, django_capture_on_commit_callbacks
):
    done = client.post("/register/", _e_form(client), HTTP_HOST=C_HOST)
    assert "Udało się!" in done.content.decode()
    first = Message.objects.filter(recipient="wieslaw@example.com").latest("pk")
    assert first.subject.startswith("Rejestracja")
    link = _link("wieslaw@example.com", "/register/activate/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(link, HTTP_HOST=C_HOST)
    second = Message.objects.filter(recipient="wieslaw@example.com").latest("pk")
    assert second.subject.startswith("Rejestracja – potwierdzenie")
    password = re.search(r"Hasło: (\S+)", second.body_text).group(1)
    assert login(client, C_HOST, "W0000001", password).status_code == 401  # not before the third
    for callback in callbacks:
        callback()
    third = Message.objects.filter(recipient="wieslaw@example.com").latest("pk")
    assert third.subject.startswith("Aktywacja konta")
    assert login(client, C_HOST, "W0000001", password).status_code == 302


def test_flow_e_needs_a_signed_contract_and_the_captcha(client, water):
    unsigned = client.post("/register/", _e_form(client, invoice_number="FV/W/2"), HTTP_HOST=C_HOST)
    assert "co najmniej podpisanej przez klienta" in unsigned.content.decode()
    unknown = client.post("/register/", _e_form(client, invoice_number="FV/404"), HTTP_HOST=C_HOST)
    assert "nie zostały rozpoznane" in unknown.content.decode()
    wrong = client.post("/register/", _e_form(client, captcha="ZZZZZ"), HTTP_HOST=C_HOST)
    assert wrong.status_code == 400
    assert not User.objects.exists()


def test_flow_d_reissue_by_login_from_the_office_page(client, cooperative):
    from identity.registration.services import account_create_in_person

    account_create_in_person(symbol="L0004880", actor=cooperative)
    _as_verified_staff(client, cooperative)
    letter = client.post(
        "/office/accounts/first-login-password/", {"login": "l0004880"}, HTTP_HOST=A_HOST
    )
    assert letter["Content-Type"] == "application/pdf"
    missing = client.post(
        "/office/accounts/first-login-password/", {"login": "nobody"}, HTTP_HOST=A_HOST
    )
    assert missing["Location"] == "/office/accounts/new/"


def _apply_for_flow_a(language: str = "pl", full_name: str = "Jan Spółdzielca") -> None:
    """Customer L0004880 applies on tenant A (flow A) from a browser set to ``language``."""
    from django.test import Client

    applicant = Client()
    applicant.cookies["django_language"] = language
    applicant.post(
        "/register/",
        {
            "service": "e-BOM",
            "customer_symbol": "L0004880",
            "full_name": full_name,
            "email": "jan@example.com",
            "accept_e_services_policy": "on",
        },
        HTTP_HOST=A_HOST,
    )


def test_staff_action_mails_the_applicant_in_the_applicants_language_and_local_time(
    client, cooperative
):
    """#12 item 8: an English-speaking clerk approving a request written in Polish sends Polish;
    the link's expiry is printed in the portal's time zone, not UTC."""

    _apply_for_flow_a()
    request = RegistrationRequest.objects.get()
    assert request.language == "pl"
    _as_verified_staff(client, cooperative)
    client.post("/i18n/setlang/", {"language": "en", "next": "/office/"}, HTTP_HOST=A_HOST)
    assert 'lang="en"' in client.get("/office/registrations/", HTTP_HOST=A_HOST).content.decode()
    client.post(
        f"/office/registrations/{request.pk}/decide/", {"decision": "approve"}, HTTP_HOST=A_HOST
    )
    mail = Message.objects.filter(recipient="jan@example.com").latest("pk")
    assert mail.language == "pl"
    assert "zostało aktywowane" in mail.body_text
    assert "activated" not in mail.body_text
    row = OneTimeToken.objects.get(purpose="set_password")
    local = timezone.localtime(row.expires_at).strftime("%d.%m.%Y %H:%M")
    utc = row.expires_at.astimezone(UTC).strftime("%d.%m.%Y %H:%M")
    assert local != utc  # Warsaw is never at UTC
    assert local in mail.body_text
    assert utc not in mail.body_text
    assert User.objects.get(username="L0004880").language == "pl"


def test_an_applicant_writing_in_english_is_answered_in_english(client, cooperative):

    _apply_for_flow_a(language="en")
    request = RegistrationRequest.objects.get()
    assert request.language == "en"
    _as_verified_staff(client, cooperative)  # the clerk works in Polish
    client.post(
        f"/office/registrations/{request.pk}/decide/",
        {"decision": "reject", "reason": "Brak tytułu prawnego"},
        HTTP_HOST=A_HOST,
    )
    mail = Message.objects.filter(recipient="jan@example.com").latest("pk")
    assert (mail.language, mail.subject.split(" – ")[0]) == ("en", "Your request was not accepted")


def test_flow_b_password_must_not_contain_the_customer_symbol(
    client, piast, tenants, django_capture_on_commit_callbacks
):
    """#12 item 3: seed B's policy forbids the login in the password; ``Ab!100123x`` passed
    because the account's login was the PESEL's storage key. The live check (the page's
    checklist asks it while the person types) names the same rules, common and reused too."""
    from tenants import policies
    from tenants.presets import preset
    from tenants.services import tenant_setting_set

    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a,
            key="password_policy",
            actor="t",
            value=policies.dump(preset("B", name="x").password_policy),
        )
        client.post("/register/", _b_form(client), HTTP_HOST=A_HOST)
    connection.set_tenant(tenants.a)
    body = Message.objects.filter(recipient="zenon@example.com").latest("pk").body_text
    code = re.search(r"Hasło tymczasowe: (\S+)", body).group(1)
    assert login(client, A_HOST, "100123", code).status_code == 302
    page = client.get("/account/password/change/", HTTP_HOST=A_HOST).content.decode()
    assert '"logins": ["100123"]' in page
    check = client.post(
        "/api/v1/auth/password/check",
        {"password": "Ab!100123x", "login": "100123"},
        content_type="application/json",
        HTTP_HOST=A_HOST,
    ).json()
    assert check["unmet"] == ["contains_login"]
    # Earlier passwords are never judged by the live check, even with a session: it would
    # answer guesses of the current password without the re-authentication's limit and audit.
    guess = client.post(
        "/api/v1/auth/password/check",
        {"password": code},
        content_type="application/json",
        HTTP_HOST=A_HOST,
    ).json()
    assert "reused" not in guess["checked"]
    assert "reused" not in guess["unmet"]
    reused = client.post(
        "/account/password/change/",
        {"current_password": code, "new_password": code, "new_password_repeat": code},
        HTTP_HOST=A_HOST,
    )
    assert reused.status_code == 400  # judged when the form is sent
    refused = client.post(
        "/account/password/change/",
        {
            "current_password": code,
            "new_password": "Ab!100123x",
            "new_password_repeat": "Ab!100123x",
        },
        HTTP_HOST=A_HOST,
    )
    assert refused.status_code == 400
    assert User.objects.get().check_password(code)
    client.post(
        "/account/password/change/",
        {"current_password": code, "new_password": "Ab!1x2y", "new_password_repeat": "Ab!1x2y"},
        HTTP_HOST=A_HOST,
    )
    assert User.objects.get().check_password("Ab!1x2y")


@pytest.mark.parametrize("typed", ["440514 01359", "44 05 14 01 359", "440-514-013-59"])
def test_flow_c_identifiers_typed_in_groups_are_accepted(client, energy, typed):
    """#12 item 7: a PESEL typed with spaces was refused for its length."""
    response = client.post("/register/", _form(energy, pesel_or_nip=typed), HTTP_HOST=C_HOST)
    assert "Udało się!" in response.content.decode()


def test_flow_c_the_identifier_follows_the_customer_type(client, energy):
    """#12 item 7: the field is named after the type, and a number of the other kind says which
    type to choose instead of calling it a bad PESEL."""
    page = client.get("/register/", HTTP_HOST=C_HOST).content.decode()
    assert re.search(r'<label for="id_pesel_or_nip">PESEL', page)
    assert 'data-label-business="NIP"' in page
    nip_as_individual = client.post(
        "/register/", _form(energy, pesel_or_nip="5260250274"), HTTP_HOST=C_HOST
    ).content.decode()
    assert "To jest numer NIP: wybierz typ klienta „Klient biznesowy”" in nip_as_individual
    assert "Numer PESEL jest nieprawidłowy" not in nip_as_individual
    business = client.post(
        "/register/",
        _form(energy, customer_type="business", pesel_or_nip=PESEL),
        HTTP_HOST=C_HOST,
    ).content.decode()
    assert re.search(r'<label for="id_pesel_or_nip">NIP', business)
    assert "To jest numer PESEL: wybierz typ klienta „Klient indywidualny”" in business
    assert not User.objects.exists()


def test_flow_c_reports_every_error_at_once(client, energy):
    """#12 item 7: with a required field missing, the bad checksum was kept for the next try."""
    body = client.post(
        "/register/", _form(energy, email="", pesel_or_nip="44051401358"), HTTP_HOST=C_HOST
    ).content.decode()
    assert "Pole Adres e-mail jest wymagane" in body
    assert "Numer PESEL jest nieprawidłowy" in body


def test_flow_b_human_check_field_is_empty_after_any_error(
    client, piast, django_capture_on_commit_callbacks
):
    """#12 item 6: the answer to the old question stayed while a new question showed."""
    form = _b_form(client, email_repeat="inny@example.com")
    page = client.post("/register/", form, HTTP_HOST=A_HOST).content.decode()
    assert "Adresy e-mail nie są takie same" in page
    field = re.search(r'<input type="text" name="captcha"[^>]*>', page).group(0)
    assert "value=" not in field
    token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    assert token != form["captcha_token"]


def test_flow_a_review_shows_labels_and_lets_staff_decide_a_differing_name(client, cooperative):
    """#12 item 15: the review printed raw keys (``symbol:``) and disabled "Approve" without a
    word when the typed name differed from the record."""

    _apply_for_flow_a(full_name="Jan Spółdzielca-Nowak")
    request = RegistrationRequest.objects.get()
    _as_verified_staff(client, cooperative)
    page = client.get("/office/registrations/", HTTP_HOST=A_HOST).content.decode()
    assert "symbol:" not in page
    assert "full_name:" not in page
    assert "Symbol klienta: L0004880" in page
    assert "L0004880 · Jan Spółdzielca" in page  # the record beside what was typed
    assert "różni się od danych klienta" in page
    assert re.search(r'<button type="submit" class="button">Zatwierdź</button>', page)
    client.post(
        f"/office/registrations/{request.pk}/decide/", {"decision": "approve"}, HTTP_HOST=A_HOST
    )
    request.refresh_from_db()
    assert request.status == "completed"
    assert User.objects.get(username="L0004880").customers.get().symbol == "L0004880"


def test_flow_b_wrong_human_check_and_other_errors_are_told_together(client, piast):
    body = client.post(
        "/register/",
        _b_form(client, captcha="xx", email_repeat="inny@example.com"),
        HTTP_HOST=A_HOST,
    ).content.decode()
    assert "Adresy e-mail nie są takie same" in body
    assert "robotem" in body  # the human check's error too


def test_the_office_sends_the_activation_again_and_the_old_link_stops(client, energy):
    from django.test import Client

    client.post("/register/", _form(energy), HTTP_HOST=C_HOST)
    old = _link("jan@example.com", "/register/activate/")
    user = User.objects.get(customers__erp_id="K1")
    staff = user_create(login="obsluga", password="BiUr42#ok", role="customer_service")
    desk = Client()
    login_verified_staff(desk, C_HOST, staff, "BiUr42#ok")
    card = f"/office/customers/{Customer.objects.get(erp_id='K1').pk}/"
    page = desk.get(card, HTTP_HOST=C_HOST).content.decode()
    assert "Czeka na aktywację" in page  # not "blocked"
    response = desk.post(
        f"/office/accounts/{user.pk}/credentials-resend", {"next": card}, HTTP_HOST=C_HOST
    )
    assert response["Location"] == card
    new = _link("jan@example.com", "/register/activate/")
    assert new != old
    assert client.get(old, HTTP_HOST=C_HOST).status_code == 410
    assert (
        "Aktywacja konta przebiegła pomyślnie" in client.get(new, HTTP_HOST=C_HOST).content.decode()
    )
    from identity.models import AuthEvent

    assert AuthEvent.objects.get(kind="credentials_resent").details == {"actor": "obsluga"}
    # once the account is used, the office issues a first-login password instead
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    refused = desk.post(f"/office/accounts/{user.pk}/credentials-resend", HTTP_HOST=C_HOST)
    assert refused.status_code == 302
    assert AuthEvent.objects.filter(kind="credentials_resent").count() == 1
