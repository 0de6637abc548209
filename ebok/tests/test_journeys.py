"""One journey per demo portal (#21 item 4), in Debian's Chromium on a phone: a newcomer whose
records the organisation's ERP has just sent registers as the portal's seed describes (or, where
accounts are opened only at the office, gets the credentials letter there), meets the first
login's obligations, and does the everyday jobs the portal offers: the summary, an invoice's PDF,
a meter reading, a failure report (or a letter where the portal takes no failure reports), a
payment through the gateway's simulator, the choice of notices, and the logout. Where a portal
does not offer a job, the journey checks that no page links to it.

Every step's page is axe-checked (WCAG 2.1 A and AA), must not scroll sideways on the phone, and
is kept as a screenshot in ``test-artifacts/journeys/<portal>/`` (``TEST_ARTIFACTS`` moves it).
The journeys go in the portal's languages: Polish, and English and Ukrainian on one portal each.
"""

from __future__ import annotations

import base64
import io
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from identity.tests.test_browser import _assert_accessible, _in_own_connection, in_tenant_committed
from payments.tests.conftest import MERCHANT, simulator  # noqa: F401 - the gateway's simulator

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or ROOT / "test-artifacts") / "journeys"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
FETCH = """async url => {
  const response = await fetch(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return [response.headers.get("content-type"), btoa(text)];
}"""
NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
PESEL = "97080212274"  # a valid PESEL of an invented person
NUMBER = 990001  # the newcomer's number in every portal's own symbol format
# How the e-mails name the login and the password, in the three languages.
LOGIN = r"(?i)(?:login|логін): (\S+)"
PASSWORD = r"(?i)(?:password|hasło|пароль)[^:\n]{0,20}: (\S+)"
WINDOW = "Odczyty nowego klienta"  # the reading period the journey opens where periods are used
ERP = "NJ"  # the prefix of every record the journey adds (and removes)


@dataclass(frozen=True)
class Portal:
    slug: str
    language: str
    name: str  # the newcomer's name
    new_password: str  # one that meets the portal's policy
    email: str = ""

    @property
    def newcomer_email(self) -> str:
        return self.email or f"nowy.{self.slug}@example.com"


PORTALS = (
    Portal("jezioro", "pl", "Jadwiga Nowakowska", "NoWy!Dom42"),
    Portal("kopernik", "pl", "Michał Grabowski", "Gw!azda7x"),
    Portal("iskra", "en", "Olivia Nowak", "Prad!Nowy8"),
    Portal("dabrowa", "pl", "Stanisław Dąbek", "Dab1Nowy"),
    Portal("zdroj", "uk", "Оксана Коваль", "Woda2026nowa"),
)


@dataclass
class Newcomer:
    """What the ERP sent of the newcomer, as the papers in their hands show it."""

    symbol: str
    contract: str
    invoice: str
    invoice_id: int
    meter_id: int | None
    last_reading: float | None
    address: str
    flow: str
    mail_after: int
    offered: set[str] = field(default_factory=set)


# --- the portal, prepared and cleared ------------------------------------------------------------


def _erp_files(portal: Portal) -> dict[str, str]:
    from demo.portals.catalogue import DEMO_TENANTS

    demo = next(d for d in DEMO_TENANTS if d.slug == portal.slug)
    profile = demo.ledger
    symbol = profile.symbol_format.format(NUMBER)
    meter_kind = demo.meters.kinds[0][0] if demo.meters else ""
    files = {
        "customers": "erp_id;symbol;kind;name;pesel;street;building_no;flat_no;postcode;city\n"
        f"{ERP}1;{symbol};individual;{portal.name};{PESEL};Wrzosowa;7;12;{profile.postcode};"
        f"{profile.city}\n",
        "premises": "erp_id;kind;street;building_no;flat_no;postcode;city\n"
        f"{ERP}P;residential;Wrzosowa;7;12;{profile.postcode};{profile.city}\n",
        "legal-titles": "erp_id;customer_erp_id;premises_erp_id;valid_from\n"
        f"{ERP}T;{ERP}1;{ERP}P;2020-01-01\n",
        "contracts": "erp_id;number;customer_erp_id;kind;status;signed_on;valid_from\n"
        f"{ERP}C;UM/{ERP}/{NUMBER};{ERP}1;{profile.contract_kind};active;2026-01-10;2026-02-01\n",
        "service-points": "erp_id;code;premises_erp_id;contract_erp_id\n"
        f"{ERP}S;{profile.point_format.format(NUMBER)};{ERP}P;{ERP}C\n",
        "charges": "erp_id;customer_erp_id;premises_erp_id;component;period;amount;due_date\n"
        f"{ERP}K;{ERP}1;{ERP}P;{profile.components[0][0]};2026-11-01;187.40;2026-12-15\n",
        "invoices": "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross\n"
        f"{ERP}F;FV/{ERP}/{NUMBER}/2026;{ERP}1;{ERP}P;2026-11-02;2026-12-15;187.40\n",
    }
    if meter_kind:
        files["meters"] = (
            "erp_id;serial_number;kind;premises_erp_id;service_point_erp_id;register_codes;"
            f"installed_on\n{ERP}M;{ERP}-{NUMBER};{meter_kind};{ERP}P;{ERP}S;1;2025-01-01\n"
        )
        files["readings"] = (
            f"erp_id;meter_erp_id;value;read_at\n{ERP}R;{ERP}M;100.000;2026-10-31T12:00:00+01:00\n"
        )
    return files


def _prepare(portal: Portal, simulator_url: str) -> Newcomer:  # noqa: F811
    from django.db.models import Max

    from billing.importing import import_text
    from billing.models import Invoice
    from core.outbox.models import Message
    from demo.portals import load_demo_tenants
    from identity.models import User
    from metering.models import Meter
    from metering.services import window_save
    from payments.models import Gateway
    from payments.services import gateway_account_save
    from tenants.policies import Module

    # The portal as `make run` makes it, without the demo's history: the other tests load that in
    # sizes of their own (the newcomer's records are all the journey needs).
    _in_own_connection(lambda: load_demo_tenants(slugs=(portal.slug,)))
    _clear(portal)  # what a stopped run may have left

    def add() -> Newcomer:
        from django.db import connection

        config = connection.tenant.configuration
        for entity, payload in _erp_files(portal).items():
            result = import_text(entity, payload)
            assert result.errors == [], (entity, result.errors)
        if config.metering.windows_required:  # readings are taken in periods: one open now
            today = timezone.localdate()
            window_save(
                actor=User.objects.get(username="admin"),
                name=WINDOW,
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=7),
            )
        if config.has_module(Module.ONLINE_PAYMENTS):
            gateway_account_save(
                gateway=Gateway.PRZELEWY24,
                merchant_id=MERCHANT["merchant_id"],
                pos_id=MERCHANT["merchant_id"],
                secrets={"api_key": MERCHANT["api_key"], "crc": MERCHANT["crc"]},
                base_url=simulator_url,
            )
        invoice = Invoice.objects.get(erp_id=f"{ERP}F")
        meter = Meter.objects.filter(erp_id=f"{ERP}M").first()
        return Newcomer(
            symbol=invoice.customer.symbol,
            contract=f"UM/{ERP}/{NUMBER}",
            invoice=invoice.number,
            invoice_id=invoice.pk,
            meter_id=meter.pk if meter else None,
            last_reading=100.0 if meter else None,
            address="Wrzosowa 7/12",
            flow=str(config.registration.flow),
            mail_after=Message.objects.aggregate(last=Max("pk"))["last"] or 0,
            offered={str(m) for m in config.modules},
        )

    return in_tenant_committed(portal.slug, add)


def _clear(portal: Portal, mail_after: int | None = None) -> None:
    """Everything the journey added to the demo portal, what the office's staff enrolled, and
    the mail it made (to anyone: the office's too) after message ``mail_after``."""
    from billing.models import Customer, Premises
    from core.outbox.models import Message
    from correspondence.models import Case
    from identity.models import RegistrationRequest, SealedTOTPDevice, User
    from metering.models import Meter, ReadingWindow
    from payments.models import GatewayAccount, Notification, Payment

    def remove():
        customer = Customer.objects.filter(erp_id=f"{ERP}1").first()
        users = User.objects.filter(email=portal.newcomer_email)
        if customer is not None:
            users = users | User.objects.filter(customers=customer)
        if customer is not None:
            Notification.objects.filter(payment__customer=customer).delete()
            Payment.objects.filter(customer=customer).delete()
            for case in Case.objects.filter(customer=customer):
                case.messages.all().delete()
                case.delete()
        Meter.objects.filter(erp_id=f"{ERP}M").delete()
        ReadingWindow.objects.filter(name=WINDOW).delete()
        users.delete()
        RegistrationRequest.objects.filter(email=portal.newcomer_email).delete()
        Message.objects.filter(recipient=portal.newcomer_email).delete()
        if mail_after is not None:
            Message.objects.filter(pk__gt=mail_after).delete()
        Customer.objects.filter(erp_id=f"{ERP}1").delete()
        Premises.objects.filter(erp_id=f"{ERP}P").delete()
        GatewayAccount.objects.filter(merchant_id=MERCHANT["merchant_id"]).delete()
        SealedTOTPDevice.objects.filter(user__username="obsluga").delete()

    in_tenant_committed(portal.slug, remove)


# --- a journey's steps ---------------------------------------------------------------------------


class Journey:
    """The newcomer's phone (and, where the office takes part, a desk's screen): every step's
    page is axe-checked, fits the phone, and is kept as a screenshot."""

    def __init__(self, browser, portal: Portal, port: int):
        self.portal = portal
        self.base = f"http://{portal.slug}.localhost:{port}"
        self.context = browser.new_context(
            locale={"pl": "pl-PL", "en": "en-GB", "uk": "uk-UA"}[portal.language],
            viewport=PHONE,
            accept_downloads=True,
        )
        self.page = self.context.new_page()
        self.browser = browser
        self.shots = ARTIFACTS / portal.slug
        self.shots.mkdir(parents=True, exist_ok=True)
        for old in self.shots.glob("*.png"):
            old.unlink()
        self.count = 0

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def step(self, name: str, page=None) -> None:
        page = page or self.page
        page.wait_for_load_state()
        self.count += 1
        page.screenshot(path=str(self.shots / f"{self.count:02d}-{name}.png"), full_page=True)
        assert page.locator("html").get_attribute("lang") == self.portal.language, name
        if page is self.page:
            assert page.evaluate(NO_OVERFLOW), f"{name}: the page scrolls sideways on a phone"
        _assert_accessible(page)

    def submit(self, page=None) -> None:
        (page or self.page).locator("main form button[type=submit]").first.click()
        (page or self.page).wait_for_load_state()

    def links_to(self, prefix: str) -> int:
        return self.page.locator(f'a[href^="{prefix}"]').count()

    def mail(self, pattern: str) -> str:
        """The newest e-mail to the newcomer that ``pattern`` matches: its first group."""
        from core.outbox.models import Message

        def read():
            for body in (
                Message.objects.filter(recipient=self.portal.newcomer_email)
                .order_by("-pk")
                .values_list("body_text", flat=True)
            ):
                found = re.search(pattern, body)
                if found:
                    return found.group(1)
            return None

        found = in_tenant_committed(self.portal.slug, read)
        assert found, f"no e-mail to {self.portal.newcomer_email} matches {pattern}"
        return found

    def close(self) -> None:
        self.context.close()


def _answer(page) -> str:
    """Answer the human check as a person would, in any of the three languages: the digits at
    the two positions named, or (a picture's text alternative) the sum of the two numbers."""
    text = page.locator("#id_captcha_help").inner_text()
    positions = re.search(r"(\d)\D+?(\d)\D+?([\d ]{6,})", text)
    if positions:
        digits = positions.group(3).replace(" ", "")
        return digits[int(positions.group(1)) - 1] + digits[int(positions.group(2)) - 1]
    first, second = re.findall(r"\d+", text)[:2]
    return str(int(first) + int(second))


def _send_with_the_human_check(j: Journey) -> None:
    """The form's documents accepted, the human check answered, and the form sent."""
    _accept_documents(j)
    j.page.fill("#id_captcha", _answer(j.page))
    j.submit()
    j.step("request-sent")


def _accept_documents(j: Journey) -> None:
    for box in j.page.locator('main form input[type="checkbox"]').all():
        box.check()


def _staff_desk(j: Journey, password: str):
    """The office's desk: staff log in and enrol their authenticator app (staff must have a
    second factor); returns the desk's page."""
    from django_otp.oath import totp

    desk = j.browser.new_context(locale="pl-PL", viewport=DESK, accept_downloads=True)
    page = desk.new_page()
    page.goto(f"{j.base}/login/")
    page.fill("#id_login", "obsluga")
    page.fill("#id_password", password)
    j.submit(page)
    page.wait_for_url(f"{j.base}/account/2fa/enrol/")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    j.submit(page)
    page.goto(f"{j.base}/office/")
    return page


def _log_in(j: Journey, login: str, password: str) -> None:
    j.go("/login/")
    j.step("login")
    j.page.fill("#id_login", login)
    j.page.fill("#id_password", password)
    j.submit()


def _first_login(j: Journey, login: str, one_time: str | None) -> None:
    """The first login's obligations: a new password where the first one was given, and the
    documents the portal asks to accept, then the summary."""
    _log_in(j, login, one_time or j.portal.new_password)
    if one_time is not None:
        j.page.wait_for_url(f"{j.base}/account/password/change/")
        j.step("password-change")
        j.page.fill("#id_current_password", one_time)
        j.page.fill("#id_new_password", j.portal.new_password)
        j.page.fill("#id_new_password_repeat", j.portal.new_password)
        j.submit()
    if j.page.url.endswith("/account/terms/"):
        j.step("documents-to-accept")
        _accept_documents(j)
        j.submit()
    j.page.wait_for_url(f"{j.base}/")


# --- registration, as each seed describes it ------------------------------------------------------


def _register_activation_request(j: Journey, who: Newcomer) -> None:
    """Seed A: the request names the service, the office approves it, and the e-mail's one-time
    link sets the password."""
    j.go("/register/")
    j.step("register")
    j.page.locator("#id_service").select_option(index=0)
    j.page.fill("#id_customer_symbol", who.symbol)
    j.page.fill("#id_full_name", j.portal.name)
    j.page.fill("#id_email", j.portal.newcomer_email)
    _accept_documents(j)
    j.submit()
    j.step("request-sent")
    desk = _staff_desk(j, "JeZi42#ro")
    desk.goto(f"{j.base}/office/registrations/")
    j.step("office-queue", desk)
    row = desk.locator("li, tr, article").filter(has_text=who.symbol).last
    row.locator('input[name="decision"][value="approve"] + button').click()
    desk.wait_for_load_state()
    j.step("office-approves", desk)
    desk.context.close()
    link = j.mail(r"(https?://\S+/password/set/\S+/)")
    j.page.goto(link)
    j.step("set-password")
    j.page.fill("#id_new_password", j.portal.new_password)
    j.page.fill("#id_new_password_repeat", j.portal.new_password)
    j.submit()
    _first_login(j, who.symbol, None)


def _register_verified(j: Journey, who: Newcomer) -> None:
    """Seed B: seven fields, the documents and the human check; verified against the records,
    then the login and a temporary password by e-mail."""
    j.go("/register/")
    j.step("register")
    j.page.fill("#id_customer_symbol", who.symbol)
    j.page.fill("#id_full_name", j.portal.name)
    j.page.fill("#id_premises_address", who.address)
    j.page.fill("#id_pesel_or_nip", PESEL)
    j.page.fill("#id_email", j.portal.newcomer_email)
    j.page.fill("#id_email_repeat", j.portal.newcomer_email)
    j.page.fill("#id_phone", "600 100 200")
    _send_with_the_human_check(j)
    login, code = j.mail(LOGIN), j.mail(PASSWORD)
    _first_login(j, login, code)


def _register_contract(j: Journey, who: Newcomer) -> None:
    """Seed C: customer type, PESEL and the signed contract's number, a login of one's own; the
    activation link, then a one-time password by e-mail."""
    login = "olivia.nowak"
    j.go("/register/")
    j.step("register")
    j.page.locator("#id_customer_type").select_option("individual")
    j.page.fill("#id_pesel_or_nip", PESEL)
    j.page.fill("#id_contract_number", who.contract)
    j.page.fill("#id_login", login)
    j.page.fill("#id_login_repeat", login)
    j.page.fill("#id_mobile_phone", "600 100 200")
    j.page.fill("#id_email", j.portal.newcomer_email)
    _accept_documents(j)
    j.submit()
    j.step("activation-link-sent")
    j.page.goto(j.mail(r"(https?://\S+/register/activate/\S+/)"))
    j.step("activated")
    code = j.mail(PASSWORD)
    _first_login(j, login, code)


def _register_in_person(j: Journey, who: Newcomer) -> None:
    """Seed D: no registration online; the office opens the account and prints the credentials
    letter, which the newcomer takes home."""
    j.go("/register/")
    j.step("register-at-the-office")
    assert j.page.locator("main form").count() == 0
    desk = _staff_desk(j, "Dabrowa7")
    desk.goto(f"{j.base}/office/accounts/new/")
    desk.fill("#id_symbol", who.symbol)
    desk.fill("#id_email", j.portal.newcomer_email)
    j.step("office-opens-the-account", desk)
    with desk.expect_download() as letter:
        desk.locator("main form button[type=submit]").first.click()
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(Path(letter.value.path()).read_bytes())).pages
    )
    desk.context.close()
    login = re.search(r"(?:Identyfikator|Login)\S*:?\s*(\S+)", text).group(1)
    password = re.search(r"(?:Hasło)[^:\n]*:?\s*(\S+)", text).group(1)
    _first_login(j, login, password)


def _register_invoice(j: Journey, who: Newcomer) -> None:
    """Seed E: an invoice's number and the e-mail, the documents and the human check; three
    e-mails (the activation link, then the login and password, then the account opens)."""
    j.go("/register/")
    j.step("register")
    j.page.fill("#id_invoice_number", who.invoice)
    j.page.fill("#id_email", j.portal.newcomer_email)
    j.page.fill("#id_phone", "600 100 200")
    _send_with_the_human_check(j)
    j.page.goto(j.mail(r"(https?://\S+/register/activate/\S+/)"))
    j.step("activated")
    login, code = j.mail(LOGIN), j.mail(PASSWORD)
    _first_login(j, login, code)


REGISTRATION = {
    "activation_request": _register_activation_request,
    "verified_self_service": _register_verified,
    "contract_activation": _register_contract,
    "in_person": _register_in_person,
    "invoice_activation": _register_invoice,
}


# --- the everyday jobs ---------------------------------------------------------------------------


def _summary(j: Journey, who: Newcomer) -> None:
    j.step("summary")
    assert j.page.locator("h1").count() == 1
    balance = j.page.locator(".balance-card").inner_text()
    assert re.search(r"187[,.]40", balance), balance  # the charge the ERP sent is owed
    for module, prefix in (
        ("online_payments", "/payments/pay/"),
        ("invoices", "/invoices/"),
    ):
        if module not in who.offered:
            assert j.links_to(prefix) == 0, f"the summary links to {prefix}, not offered"


def _a_pdf(j: Journey, who: Newcomer) -> None:
    """The invoice's PDF where the portal shows invoices, else the balance's."""
    if "invoices" in who.offered:
        j.go("/invoices/")
        j.step("invoices")
        j.page.locator(f'a[href="/invoices/{who.invoice_id}/"]').first.click()
        j.page.wait_for_url(f"{j.base}/invoices/{who.invoice_id}/")
        j.step("invoice")
        link, expected = j.page.locator(f'a[href="/invoices/{who.invoice_id}/pdf"]'), who.invoice
    else:
        j.go("/")
        link, expected = j.page.locator('a[href="/balance.pdf"]'), who.symbol
    # What the link serves, fetched by the page with the newcomer's session (Chromium would
    # show it in its own viewer, which is not the portal's page).
    kind, encoded = j.page.evaluate(FETCH, link.first.get_attribute("href"))
    assert kind == "application/pdf"
    data = base64.b64decode(encoded)
    assert data.startswith(b"%PDF")
    assert expected in "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _a_reading(j: Journey, who: Newcomer) -> None:
    if "meters" not in who.offered and "readings" not in who.offered:
        assert j.links_to("/meters/") == 0
        return
    j.go("/meters/")
    j.step("meters")
    j.page.locator(f'a[href^="/meters/{who.meter_id}/"]').first.click()
    j.page.wait_for_url(re.compile(rf"/meters/{who.meter_id}/"))
    if "readings" not in who.offered:
        j.step("meter")
        assert j.page.locator("#id_value").count() == 0, "a reading form the portal does not take"
        return
    value = f"{who.last_reading + 3:.3f}"
    shown = value.replace(".", "," if j.portal.language in ("pl", "uk") else ".")
    j.page.locator("#id_value").fill(shown)
    j.step("reading-typed")
    j.page.locator("#id_value").press("Enter")
    j.page.wait_for_url(f"{j.base}/meters/{who.meter_id}/")
    j.step("reading-saved")
    assert j.page.locator("table.table-cards tbody tr").first.get_by_text(shown).count() == 1


def _a_case(j: Journey, who: Newcomer) -> None:
    """A failure report where the portal takes them, else a letter to the office."""
    j.go("/")
    section = j.page.locator('.portal-nav a[href="/cases/"], .portal-nav a[href="/letters/"]')
    if section.count() == 0:
        assert not {"failure_reports", "correspondence", "tickets"} & who.offered
        assert j.links_to("/cases/") == 0
        return
    section.first.click()
    j.page.wait_for_load_state()
    if j.page.url.endswith("/letters/"):  # the letters from the office, and the way to write
        j.step("letters")
        j.page.locator('main a[href="/cases/"]').click()
    j.page.wait_for_url(f"{j.base}/cases/")
    j.step("cases")
    kinds = j.page.locator('a[href^="/cases/new/"]')
    failure = j.page.locator('a[href="/cases/new/failure/"]')
    (failure if failure.count() else kinds).first.click()
    j.page.wait_for_url(re.compile(r"/cases/new/"))
    j.step("case-form")
    if j.page.locator("#id_premises").count():
        j.page.locator("#id_premises").select_option(index=1)
    if j.page.locator("#id_place").count():
        j.page.locator("#id_place").fill("klatka schodowa, II piętro")
    j.page.locator("#id_subject").fill("Nie świeci lampa na klatce")
    j.page.locator("#id_text").fill("Od wczoraj nie świeci lampa na II piętrze, jest ciemno.")
    j.page.locator("main form button[type=submit]").first.click()
    j.page.wait_for_url(re.compile(r"/cases/\d+/"))
    j.step("case-sent")
    assert j.page.locator(".flash").count() == 1
    # the confirmation, printed from the browser: the case and its number, none of the portal's
    # header, menus and buttons
    reference = j.page.locator("h1").inner_text().split()[-1]
    logout = j.page.locator('header form[action="/logout/"] button').inner_text()
    j.page.emulate_media(media="print")
    printed = j.page.pdf(format="A4")
    j.page.emulate_media(media="screen")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printed)).pages)
    assert reference in text
    assert "Nie świeci lampa na klatce" in text
    assert logout not in text


def _a_payment(j: Journey, who: Newcomer, simulator) -> None:  # noqa: F811
    if "online_payments" not in who.offered:
        return
    from payments.models import Payment

    if "invoices" in who.offered:  # from the invoice's page
        j.go(f"/invoices/{who.invoice_id}/")
        j.page.locator(f'main a[href$="?invoice={who.invoice_id}"]').click()
    else:  # from the balance on the summary
        j.go("/")
        j.page.locator('.balance-card a[href="/payments/pay/"]').click()
    j.page.wait_for_url(re.compile(r"/payments/pay/"))
    j.page.locator(f'input[name="invoices"][value="{who.invoice_id}"]').check()
    j.step("pay")
    j.submit()
    j.page.wait_for_url(f"{simulator.base_url}/trnRequest/*")
    j.page.locator("button[type=submit], input[type=submit]").first.click()  # the gateway's page
    j.page.wait_for_url(f"{j.base}/payments/*/")
    for _ in range(50):  # the gateway's notification comes on its own, a moment later
        state = in_tenant_committed(
            j.portal.slug,
            lambda: Payment.objects.filter(allocations__invoice_id=who.invoice_id).values_list(
                "status", flat=True
            )[0],
        )
        if state == "completed":
            break
        j.page.wait_for_timeout(100)
    j.page.reload()
    j.step("paid")
    assert state == "completed"
    current = j.page.locator('.portal-nav a[aria-current="page"]')
    assert current.get_attribute("href") == "/payments/pay/"  # the page's own module


def _notices(j: Journey, who: Newcomer) -> None:
    j.go("/account/")
    j.step("account")
    j.page.locator('a[href="/account/notifications/"]').first.click()
    j.page.wait_for_url(f"{j.base}/account/notifications/")
    j.step("notices")
    box = j.page.locator('main form input[type="checkbox"]:not([disabled])').first
    was = box.is_checked()
    box.set_checked(not was)
    j.submit()
    j.page.wait_for_url(f"{j.base}/account/notifications/")
    j.step("notices-saved")
    assert (
        j.page.locator('main form input[type="checkbox"]:not([disabled])').first.is_checked() != was
    )


def _log_out(j: Journey) -> None:
    j.page.locator('header form[action="/logout/"] button').click()
    j.page.wait_for_load_state()
    j.step("logged-out")
    j.go("/account/")
    assert "/login/" in j.page.url


@pytest.mark.parametrize("portal", PORTALS, ids=[p.slug for p in PORTALS])
def test_a_newcomers_journey(portal, server, browser, simulator, settings):  # noqa: F811
    settings.PLATFORM_PORT = server  # the gateway sends the customer back to this server
    simulator.verify_fails = False
    simulator.verify_delay = 0.0
    simulator.add_merchant(**MERCHANT)
    who = _prepare(portal, simulator.base_url)
    j = Journey(browser, portal, server)
    try:
        REGISTRATION[who.flow](j, who)
        _summary(j, who)
        _a_pdf(j, who)
        _a_reading(j, who)
        _a_case(j, who)
        _a_payment(j, who, simulator)
        _notices(j, who)
        _log_out(j)
    finally:
        j.close()
        _clear(portal, mail_after=who.mail_after)
