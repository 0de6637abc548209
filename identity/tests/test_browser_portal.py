"""Browser checks of what a test of the pages' HTML cannot see (#12): the human check of flow B
after an error, flow B's e-mailed login, and a tenant logo on the page while staff enrol their
authenticator app. Debian's Chromium, phone-sized, on the demo tenant "kopernik" (preset B)."""

from __future__ import annotations

import base64
import io
import re

import pytest

from identity.tests.test_browser import _assert_accessible, _field, _in_own_connection

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
PESEL = "97080212274"
EMAIL = "michal.grabowski@example.com"


@pytest.fixture
def kopernik():
    """The demo tenant with a customer who has no account yet, and a logo in its branding;
    removed (and the logo taken off) after the test."""
    from django_tenants.utils import schema_context

    from billing.importing import import_text
    from demo.portals import load_demo_tenants

    def make():
        load_demo_tenants(slugs=("kopernik",))
        with schema_context("kopernik"):
            import_text(
                "customers",
                f"erp_id;symbol;kind;name;pesel\nKB1;201347;individual;Michał Grabowski;{PESEL}\n",
            )
            import_text(
                "premises",
                "erp_id;kind;street;building_no;flat_no;city\nMB1;residential;Różana;2;34;X\n",
            )
            import_text(
                "legal-titles",
                "erp_id;customer_erp_id;premises_erp_id;valid_from\nTB1;KB1;MB1;2020-01-01\n",
            )
        _set_logo(_png())

    def remove():
        from billing.models import Customer, LegalTitle, Premises
        from core.outbox.models import Message
        from identity.models import RegistrationRequest, SealedTOTPDevice, User

        with schema_context("kopernik"):
            User.objects.filter(customers__erp_id="KB1").delete()
            RegistrationRequest.objects.filter(email=EMAIL).delete()
            Message.objects.filter(recipient=EMAIL).delete()
            LegalTitle.objects.filter(erp_id="TB1").delete()
            Premises.objects.filter(erp_id="MB1").delete()
            Customer.objects.filter(erp_id="KB1").delete()
            SealedTOTPDevice.objects.filter(user__username="obsluga").delete()
        _set_logo(None)

    _in_own_connection(make)
    yield
    _in_own_connection(remove)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 40), (122, 31, 61)).save(out, format="PNG")
    return out.getvalue()


def _set_logo(data: bytes | None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tenants.utils import schema_context

    from identity.onboarding import logo_store
    from tenants.models import Tenant
    from tenants.services import tenant_setting_set

    tenant = Tenant.objects.get(slug="kopernik")
    with schema_context("kopernik"):
        path = logo_store(SimpleUploadedFile("logo.png", data)) if data else ""
    tenant_setting_set(tenant=tenant, key="branding.logo", value=path, actor="test")


def _mail(pattern: str) -> str:
    from django_tenants.utils import schema_context

    from core.outbox.models import Message

    def read():
        with schema_context("kopernik"):
            body = Message.objects.filter(recipient=EMAIL).latest("pk").body_text
        return re.search(pattern, body).group(1)

    return _in_own_connection(read)


def _answer(page) -> str:
    """Answer the digit-position question shown on the page, as a person would."""
    text = page.locator("#id_captcha_help").inner_text()
    found = re.search(r"(\d) (?:i|and) (\d) (?:ciągu|of): ([\d ]+)", text)
    first, second, digits = (
        int(found.group(1)),
        int(found.group(2)),
        found.group(3).replace(" ", ""),
    )
    return digits[first - 1] + digits[second - 1]


def test_flow_b_after_an_error_then_the_emailed_login(server, browser, kopernik):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://kopernik.localhost:{server}"
    page.goto(f"{base}/register/")
    _field(page, "Symbol klienta").fill("201347")
    _field(page, "Imię i nazwisko lub nazwa firmy").fill("Michał Grabowski")
    _field(page, "Adres lokalu").fill("Różana 2/34")
    _field(page, "PESEL lub NIP").fill(PESEL)
    _field(page, "Adres e-mail").fill(EMAIL)
    _field(page, "Powtórz adres e-mail").fill("inny@example.com")  # the mistake
    _field(page, "Telefon").fill("600 100 200")
    page.get_by_label(re.compile("Akceptuję: Regulamin")).check()
    page.get_by_label(re.compile("Wyrażam zgodę")).check()
    _field(page, "Sprawdzenie, czy nie jesteś robotem").fill(_answer(page))
    page.get_by_role("button", name="Zarejestruj się").click()
    assert page.get_by_text("Adresy e-mail nie są takie same").first.is_visible()
    # #12 item 6: a new question, and no stale answer left in its field.
    assert _field(page, "Sprawdzenie, czy nie jesteś robotem").input_value() == ""
    _field(page, "Powtórz adres e-mail").fill(EMAIL)
    _field(page, "Sprawdzenie, czy nie jesteś robotem").fill(_answer(page))
    page.get_by_role("button", name="Zarejestruj się").click()
    page.get_by_role("heading", name="Zgłoszenie przyjęte").wait_for()
    _assert_accessible(page)

    # #12 item 1: the login the e-mail promises is the one that works.
    login = _mail(r"Login: (\S+)")
    assert login == "201347"
    code = _mail(r"Hasło tymczasowe: (\S+)")
    page.goto(f"{base}/login/")
    _field(page, "Identyfikator lub e-mail").fill(login)
    _field(page, "Hasło").fill(code)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{base}/account/password/change/")
    # #12 item 3: "different from the previous one" and the login are judged while typing.
    from playwright.sync_api import expect

    page.fill("#id_current_password", code)
    new_password = page.locator("#id_new_password")
    reused = page.locator('li[data-rule="reused"]')
    login_rule = page.locator('li[data-rule="contains_login"]')
    new_password.press_sequentially(code)
    expect(reused).to_have_class(re.compile(r"\brule-unmet\b"))
    new_password.fill("")
    new_password.press_sequentially("Ab!201347x")
    expect(login_rule).to_have_class(re.compile(r"\brule-unmet\b"))
    expect(reused).to_have_class(re.compile(r"\brule-met\b"))
    new_password.fill("")
    new_password.press_sequentially("Gw!azda7x")
    expect(login_rule).to_have_class(re.compile(r"\brule-met\b"))
    page.fill("#id_new_password_repeat", "Gw!azda7x")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(account/terms/)?$"))
    context.close()


def test_staff_enrol_with_the_tenants_logo_on_the_page(server, browser, kopernik):
    """#12 item 13: the logo's request of a half-logged-in session made a new secret behind
    the one on the screen, so the code typed from it was always "wrong"."""
    from django_otp.oath import totp

    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://kopernik.localhost:{server}"
    page.goto(f"{base}/login/")
    page.fill("#id_login", "obsluga")
    page.fill("#id_password", "Kop3rnik!")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/account/2fa/enrol/")
    logo = page.locator("img.brand-logo").first
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")  # the logo loaded
    page.reload()  # and once more, as people do
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.get_by_role("heading", name="Twoje kody zapasowe").wait_for()
    context.close()
