"""Browser journey (Playwright + Debian's Chromium) on the preset C demo tenant: first login with
a one-time password → forced change with the live checklist → accept the regulations → home.
Each page is also checked with axe-core (no WCAG 2.1 A/AA violations)."""

from __future__ import annotations

import os
import re
import threading

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def _in_own_connection(fn):
    """Run ``fn`` in a thread of its own: its database connection commits, so the server's
    threads see the rows (the test's own connection is inside a rolled-back transaction)."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def in_tenant_committed(slug: str, work):
    """``work()`` in tenant ``slug``'s schema on a connection of its own (committed, as a live
    server sees it); returns what it returns."""
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    out: dict = {}

    def run():
        with tenant_context(Tenant.objects.get(slug=slug)):
            out["value"] = work()

    _in_own_connection(run)
    return out.get("value")


@pytest.fixture
def iskra_customer():
    """The preset C demo tenant with a customer holding a one-time password (committed)."""
    from django_tenants.utils import schema_context

    from demo.portals import load_demo_tenants
    from identity.services import user_create

    def make():
        load_demo_tenants(slugs=("iskra",))
        with schema_context("iskra"):
            user_create(
                login="jan.przegladarka",
                password="Jednorazowe7",
                email="jan@example.com",
                first_name="Jan",
                last_name="Przeglądarka",
                must_change_password=True,
                if_exists="keep",
            )

    def remove():
        from identity.models import User

        with schema_context("iskra"):
            User.objects.filter(username="jan.przegladarka").delete()

    _in_own_connection(make)
    yield "jan.przegladarka"
    _in_own_connection(remove)


def _field(page, label: str):
    """The input labelled ``label`` (the visual required marker "*" is aria-hidden)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def customer_logs_in(page, base: str, login: str, password: str) -> None:
    """A customer logs in at ``base`` and accepts the documents the portal asks for first."""
    page.goto(f"{base}/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    if page.url.endswith("/account/terms/"):
        for box in page.get_by_role("checkbox").all():
            box.check()
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()


def _assert_accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert violations == [], f"{page.url}: {violations}"


def test_first_login_with_one_time_password_to_home(server, iskra_customer, browser):
    from playwright.sync_api import expect

    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://iskra.localhost:{server}"

    page.goto(f"{base}/login/")
    assert "mojBOK Iskra" in page.title()
    _assert_accessible(page)
    _field(page, "Login, PESEL lub NIP").fill(iskra_customer)
    _field(page, "Hasło").fill("Jednorazowe7")
    page.get_by_role("button", name="Zaloguj się").click()

    page.wait_for_url(f"{base}/account/password/change/")
    assert page.get_by_role("heading", name="Wymagana zmiana hasła").is_visible()
    no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(no_overflow), "the page scrolls sideways on a phone"
    _assert_accessible(page)
    _field(page, "Hasło tymczasowe lub kod jednorazowy").fill("Jednorazowe7")
    new_password = _field(page, "Nowe hasło")
    length_rule = page.locator('li[data-rule="min_length"]')
    upper_rule = page.locator('li[data-rule="min_uppercase"]')
    new_password.press_sequentially("iskra")
    assert "rule-unmet" in length_rule.get_attribute("class")
    assert "rule-unmet" in upper_rule.get_attribute("class")
    # Rules only the server can judge are marked while typing too (#12 item 3).
    common_rule = page.locator('li[data-rule="common"]')
    new_password.fill("")
    new_password.press_sequentially("Password1")
    expect(common_rule).to_have_class(re.compile(r"\brule-unmet\b"))
    new_password.fill("")
    new_password.press_sequentially("Prad2026moj")
    expect(common_rule).to_have_class(re.compile(r"\brule-met\b"))
    assert "rule-met" in length_rule.get_attribute("class")  # the checklist follows the typing
    assert "rule-met" in upper_rule.get_attribute("class")
    _field(page, "Powtórz nowe hasło").fill("Prad2026moj")
    page.get_by_role("button", name="Zapisz nowe hasło").click()

    page.wait_for_url(f"{base}/account/terms/")
    assert page.get_by_role("heading", name="Dokumenty do akceptacji").is_visible()
    _assert_accessible(page)
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Akceptuję i przechodzę dalej").click()

    page.wait_for_url(f"{base}/")
    assert page.get_by_text("Witaj, Jan Przeglądarka.").is_visible()
    assert page.locator("#session-timer").is_visible()
    assert page.evaluate(no_overflow)
    if os.environ.get("BROWSER_SCREENSHOT"):  # to look at the page: BROWSER_SCREENSHOT=home.png
        page.screenshot(path=os.environ["BROWSER_SCREENSHOT"], full_page=True)
    _assert_accessible(page)
    context.close()


@pytest.fixture
def iskra_contract():
    """A customer of the preset C demo tenant with a signed contract (committed), removed after."""
    from django_tenants.utils import schema_context

    from billing.importing import import_text
    from demo.portals import load_demo_tenants

    def make():
        load_demo_tenants(slugs=("iskra",))
        with schema_context("iskra"):
            import_text(
                "customers",
                "erp_id;symbol;kind;name;pesel\nBR1;K9000001;individual;Jan Rejestrowany;44051401359\n",
            )
            import_text(
                "contracts",
                "erp_id;number;customer_erp_id;kind;status\nBRU1;UM/BR/1;BR1;energy;signed_by_customer\n",
            )

    def remove():
        from billing.models import Contract, Customer
        from core.outbox.models import Message
        from identity.models import RegistrationRequest, User

        with schema_context("iskra"):
            User.objects.filter(customers__erp_id="BR1").delete()
            RegistrationRequest.objects.filter(email="jan.rejestrowany@example.com").delete()
            Message.objects.filter(recipient="jan.rejestrowany@example.com").delete()
            Contract.objects.filter(erp_id="BRU1").delete()
            Customer.objects.filter(erp_id="BR1").delete()

    _in_own_connection(make)
    yield
    _in_own_connection(remove)


def _last_mail(text_pattern: str) -> str:
    from django_tenants.utils import schema_context

    from core.outbox.models import Message

    def read():
        with schema_context("iskra"):
            body = (
                Message.objects.filter(recipient="jan.rejestrowany@example.com")
                .latest("pk")
                .body_text
            )
        return re.search(text_pattern, body).group(1)

    return _in_own_connection(read)


def test_registration_flow_c_in_the_browser(server, iskra_contract, browser):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://iskra.localhost:{server}"
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Zarejestruj się").click()
    page.wait_for_url(f"{base}/register/")
    _assert_accessible(page)
    page.get_by_role("button", name="Zarejestruj się").click()  # empty form: the seed's messages
    assert page.get_by_text("Pole Numer umowy jest wymagane").first.is_visible()
    # The identifier follows the customer type (#12 item 7): NIP for a business, PESEL again
    # for an individual; the number typed in groups is accepted.
    page.get_by_label("Typ klienta").select_option("business")
    assert _field(page, "NIP").is_visible()
    assert page.locator("#id_pesel_or_nip_help").inner_text().startswith("Numer NIP firmy")
    page.get_by_label("Typ klienta").select_option("individual")
    _field(page, "PESEL").fill("440514 01359")
    _field(page, "Numer umowy").fill("UM/BR/1")
    _field(page, "Telefon komórkowy").fill("600100200")
    _field(page, "Adres e-mail").fill("jan.rejestrowany@example.com")
    page.get_by_label(re.compile("Akceptuję: Regulamin")).check()
    page.get_by_label(re.compile("Akceptuję: Polityka plików cookies")).check()
    page.get_by_role("button", name="Zarejestruj się").click()
    assert page.get_by_role("heading", name="Udało się!").is_visible()
    _assert_accessible(page)

    activation = _last_mail(r"(https?://\S+/register/activate/\S+/)")
    page.goto(
        activation.replace("http://iskra.localhost", f"http://iskra.localhost:{server}", 1)
        if f":{server}" not in activation
        else activation
    )
    assert page.get_by_role("heading", name="Konto aktywne").is_visible()
    code = _last_mail(r"Hasło jednorazowe: (\S+)")

    page.get_by_role("link", name="Zaloguj się").last.click()
    _field(page, "Login, PESEL lub NIP").fill("44051401359")
    _field(page, "Hasło").fill(code)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{base}/account/password/change/")
    _field(page, "Hasło tymczasowe lub kod jednorazowy").fill(code)
    _field(page, "Nowe hasło").fill("Prad2026moj")
    _field(page, "Powtórz nowe hasło").fill("Prad2026moj")
    page.get_by_role("button", name="Zapisz nowe hasło").click()
    page.wait_for_url(f"{base}/")  # the documents were accepted in the form
    assert page.get_by_text("Witaj, Jan Rejestrowany.").is_visible()
    context.close()


def totp_code(schema: str, login: str) -> str:
    """The current code of ``login``'s authenticator being enrolled, read in its own connection
    (the live server's rows are committed)."""

    def read() -> str:
        from django_otp.oath import totp
        from django_tenants.utils import schema_context

        from identity.models import SealedTOTPDevice as TOTPDevice

        with schema_context(schema):
            device = TOTPDevice.objects.get(user__username=login, confirmed=False)
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            return f"{code:06d}"

    return _in_own_connection(read)


def log_in_and_enrol(page, base: str, schema: str, login: str, password: str, check=None) -> None:
    """Log in on the page at ``base`` and enrol the authenticator app (staff and operators)."""
    page.fill("#id_login", login)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/account/2fa/enrol/")
    if check is not None:
        check(page)
    page.fill("#id_code", totp_code(schema, login))
    page.locator("main form button[type=submit]").first.click()
    page.get_by_role("heading", name="Twoje kody zapasowe").wait_for()
