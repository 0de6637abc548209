"""Every page of a portal, and every page of the platform's own host (landing, signup, the
operators' console), is axe-clean (#21 item 1, WCAG 2.1 A and AA rules), on a phone and on a
desktop, and on the phone with the text twice as large nothing is pushed out of its width (WCAG
1.4.4; a table may scroll in its own region): the pages are enumerated from the URLconfs, so a
new page cannot be forgotten.
Each page is opened by the first of anonymous, customer, property manager and administrator
that it serves (the iskra demo portal, preset C, with a small history); a page with an id in its
path is opened with an id of the demo's records (``IDS``); a link with a token, with a token that
is not valid (the page that says so); a route with an id that is not a page is a file (``FILES``)
or an action, which a GET must refuse with 405. An answer that is not a page (a file, JSON, a
redirect elsewhere) is listed apart."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from core.testing import url_routes
from identity.tests.test_browser import _in_own_connection, customer_logs_in

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
SLUG = "iskra"
PASSWORD = "Iskra2026"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
# WCAG 1.4.4: text made twice as large (the browser's text size, not a zoom of the page) must
# lose nothing; on a phone, nothing may be pushed out of the page's width (what is, when it is).
TEXT_AT_200 = """() => {
  const root = document.documentElement;
  root.style.fontSize = "200%";
  let wide = "";
  if (root.scrollWidth > root.clientWidth) {
    const out = [...document.body.querySelectorAll("*")].filter(
      e => e.getBoundingClientRect().right > root.clientWidth + 1 && !(e.parentElement && e.parentElement.closest(".table-scroll")));
    const name = e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "");
    wide = root.scrollWidth + " px wide: " + out.slice(-3).map(name).join(", ");
  }
  root.style.fontSize = "";
  return wide;
}"""
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Not pages: the API, files, scripts and the session's own endpoints.
NOT_PAGES = ("api/", "i18n/", "theme.css", "session/", "logout/", "media/", "dev/")
# Pages none of the four is shown here, and why (any other is a page the check missed).
NOT_SHOWN_HERE = {
    "/account/terms/": "only while documents wait to be accepted",
    "/account/2fa/": "only between the password and the second factor",
    "/office/accounts/first-login-password/": "a POST that prints a letter",
    "/office/customers/access-ending/": "only where access ends with the legal title",
    "/switch/": "a POST (a manager's choice of customer)",
    "/payments/pay/": "a POST that starts a payment",
    "/office/payments/booked.csv": "a file",
    "/balance.pdf": "a file",
}

# Routes with an id in their path that serve a file, not a page.
FILES = {
    "data_export_download", "document_pdf", "branding_logo", "office_report_csv",
    "office_import_sample", "office_import_job_status", "billing_invoice_pdf",
    "billing_invoice_xml", "metering_readings_csv", "metering_reading_photo",
    "metering_office_reading_photo", "correspondence_document_file", "correspondence_letter_pdf",
    "correspondence_attachment", "correspondence_office_attachment",
}  # fmt: skip
# Links with a token: opened with one that is not valid, they must say so on a page of their own,
# with the exact status each gives (gone: a link that was; not found: an unsubscribe link).
TOKEN_PAGES = {
    "password_reset_complete": 410, "email_confirm": 410, "register_activate": 410,
    "password_set": 410, "notifications_unsubscribe": 404,
}  # fmt: skip


def _routes() -> list[tuple[str, str]]:
    return url_routes("ebok.urls_tenant")


def _staff_session(login: str) -> str:
    """A session of the demo's ``login`` with its second factor verified (committed)."""
    from django_tenants.utils import schema_context

    from identity.models import User
    from identity.tests.conftest import login_verified_staff

    box = {}

    def run():
        client = Client()
        with schema_context(SLUG):
            user = User.objects.get(username=login)
        login_verified_staff(client, f"{SLUG}.localhost", user, PASSWORD)
        box["session"] = client.cookies[settings.SESSION_COOKIE_NAME].value

    _in_own_connection(run)
    return box["session"]


@pytest.fixture
def iskra():
    """The demo portal offering every module, so that every page is there to check; its own
    modules are given back afterwards."""
    from django_tenants.utils import tenant_context

    from demo.portals import load_demo_ledger, load_demo_tenants
    from tenants.models import Tenant
    from tenants.policies import Module
    from tenants.services import tenant_setting_set

    def own_modules():
        load_demo_tenants(slugs=(SLUG,))
        with tenant_context(Tenant.objects.get(slug=SLUG)):
            state["outbox"] = _outbox_mark()
        return [str(m) for m in Tenant.objects.get(slug=SLUG).configuration.modules]

    state: dict = {}
    own = _in_own_connection(own_modules)

    def offer(modules):
        tenant = Tenant.objects.get(slug=SLUG)
        tenant_setting_set(tenant=tenant, key="modules", value=modules, actor="test")

    _in_own_connection(lambda: offer([m.value for m in Module]))

    def ids():
        # a small history (the demo customer's records), its letters and cases too now that
        # every module is offered
        load_demo_ledger(SLUG, customers=3, months=2)
        with tenant_context(Tenant.objects.get(slug=SLUG)):
            return _demo_ids()

    yield _in_own_connection(ids)
    _in_own_connection(lambda: offer(own))

    def take_back():
        from django_otp.plugins.otp_static.models import StaticDevice

        from billing.models import ImportJob
        from identity.models import BackupCodeDevice, SealedTOTPDevice
        from metering.models import ReadingWindow
        from payments.models import Payment

        with tenant_context(Tenant.objects.get(slug=SLUG)):
            Payment.objects.filter(title=MADE).delete()
            ImportJob.objects.filter(failure=MADE).delete()
            ReadingWindow.objects.filter(name=MADE).delete()
            # the second factors the check enrolled or began to (the enrolment page makes one),
            # sealed with this run's key, would outlive the key rotation other tests make
            visitors = ["admin", "anna.wisniewska", "zarzadca"]
            for model in (SealedTOTPDevice, BackupCodeDevice, StaticDevice):
                model.objects.filter(user__username__in=visitors).delete()
            _outbox_back_to(state["outbox"])

    _in_own_connection(take_back)


MADE = "a11y-check"  # what the check makes for its pages, and removes


def _demo_ids() -> dict[str, list[dict]]:
    """The ids the pages with an id in their path are opened with: the demo customer's records,
    and a payment, an import and a reading period made for the check (each route's list of
    path values)."""
    from django.db import connection

    from billing.models import Customer, ImportJob, Invoice
    from core.outbox.models import Message
    from correspondence.models import Announcement, Case, Letter
    from correspondence.services import offered_kinds
    from identity.models import Document, User
    from identity.office.settings import SECTIONS
    from identity.onboarding.views import STEPS
    from metering.models import Meter, ReadingWindow
    from payments.models import Gateway, Payment

    anna = User.objects.get(username="anna.wisniewska")
    customer = Customer.objects.get(erp_id="K0")
    message = Message.objects.create(
        recipient=anna.email, template="payment_received", event="payment_received", language="pl", subject=MADE,
        body_text="Dziękujemy za wpłatę.", status=Message.Status.SENT, user_id=anna.pk,
    )  # fmt: skip
    meter = Meter.objects.filter(premises__legal_titles__customer=customer).first()
    case = Case.objects.filter(customer=customer).order_by("pk").first()
    window = ReadingWindow.objects.create(
        name=MADE, opens_on=date(2026, 12, 1), closes_on=date(2026, 12, 14)
    )
    job = ImportJob.objects.create(entity="customers", status="done", failure=MADE)
    payment = Payment.objects.create(
        gateway=Gateway.PRZELEWY24, customer=customer, started_by=anna, amount_grosze=1000,
        title=MADE,
    )  # fmt: skip

    def one(model, **where) -> list[dict]:
        first = model.objects.filter(**where).order_by("pk").first()
        assert first is not None, f"the demo has no {model.__name__} for its page"
        return [{"pk": first.pk}]

    return {
        "document": one(Document),
        "notifications_office_message": [{"pk": message.pk}],
        "notifications_office_account": [{"user_id": anna.pk}],
        "office_settings_section": [{"group": group} for group in SECTIONS],
        "office_onboarding_step": [{"step": step} for step, _label in STEPS],
        "office_customer": [{"pk": customer.pk}],
        "office_import_job": [{"pk": job.pk}],
        "billing_invoice": one(Invoice, customer=customer),
        "metering_meter": [{"pk": meter.pk}],
        "metering_premises": [{"pk": meter.premises_id}],
        "metering_office_replace": [{"pk": meter.pk}],
        "metering_office_window": [{"pk": window.pk}],
        "metering_office_window_missing": [{"pk": window.pk}],
        "correspondence_letter": one(Letter),
        "correspondence_office_announcement": one(Announcement),
        "correspondence_office_announcement_notify": one(Announcement),
        "correspondence_case_new": [
            {"kind": kind.slug} for kind in offered_kinds(connection.tenant.configuration)
        ],
        "correspondence_case": [{"pk": case.pk}],
        "correspondence_office_case_new": [{"customer_id": customer.pk}],
        "correspondence_office_case": [{"pk": case.pk}],
        "payments_office_gateway": [{"gateway": gateway} for gateway in Gateway.values],
        "payments_return": [{"public_id": str(payment.public_id)}],
    }


def _filled(route: str, values: dict) -> str:
    """``route`` with its path's parameters given ``values`` (any other: a placeholder)."""
    return "/" + re.sub(
        r"<(?:(\w+):)?(\w+)>",
        lambda m: str(values.get(m.group(2), FILLER.get(m.group(1) or "str", "x"))),
        route,
    )


FILLER = {"int": 1, "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000"}
STATUS = """async url => (await fetch(url, {redirect: "manual"})).status"""


def _violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": RULES}})
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


def _walk(pages: dict, base: str, paths: list[tuple]):
    """Each path opened as the first of its roles that it serves, and axe-checked on a phone and
    a desktop: (pages checked with their role, answers that are not pages, paths served to none
    of the roles, the violations found)."""
    checked, elsewhere, unserved, problems = [], [], [], {}
    for path, order, *answers in paths:
        answers = answers[0] if answers else (200,)
        for role in order:
            page = pages[role]
            try:
                response = page.goto(base + path)
            except PlaywrightError:  # an answer with no page to show (e.g. an empty 405)
                # its error page must not cut into the next load: a new tab, the same session
                pages[role] = page.context.new_page()
                page.close()
                continue
            if response is None or response.status not in answers:
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                elsewhere.append(path)
                break
            if page.url.removeprefix(base).split("?")[0] != path:
                continue  # sent elsewhere (the login page, the office): not this role's page
            for viewport, (width, height) in VIEWPORTS.items():
                page.set_viewport_size({"width": width, "height": height})
                found = _violations(page)
                if found:
                    problems[f"{path} ({role}, {viewport})"] = found
                wide = page.evaluate(TEXT_AT_200) if viewport == "phone" else ""
                if wide:
                    problems[f"{path} ({role}, phone, text at 200 %)"] = wide
            checked.append((path, role))
            break
        else:
            unserved.append(path)
    return checked, elsewhere, unserved, problems


def test_every_page_is_axe_clean_on_a_phone_and_a_desktop(server, browser, iskra):
    base = f"http://{SLUG}.localhost:{server}"
    pages = {}
    for role in ("anonymous", "customer", "manager", "admin"):
        context = browser.new_context(locale="pl-PL")
        if role in ("customer", "manager"):
            customer_logs_in(
                context.new_page(),
                base,
                {"customer": "anna.wisniewska"}.get(role, "zarzadca"),
                PASSWORD,
            )
        elif role == "admin":
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": _staff_session("admin"),
                        "url": base,
                    }
                ]
            )
        pages[role] = context.new_page()

    paths, actions = [], []
    for route, name in _routes():
        if route.startswith(NOT_PAGES) or name == "logout" or name in FILES:
            continue
        # the office's pages are the administrator's: no need to be refused by the others first
        roles = ["admin"] if route.startswith("office/") else list(pages)
        if "<" not in route:
            paths.append(("/" + route, roles))
        elif name in TOKEN_PAGES:  # a link that is no longer (or never was) valid
            paths.append(
                (_filled(route, {"token": "nieaktualny"}), ["anonymous"], (TOKEN_PAGES[name],))
            )
        elif name in iskra:
            paths += [(_filled(route, values), roles) for values in iskra[name]]
        else:
            actions.append((name, _filled(route, {}), roles[-1]))
    checked, elsewhere, unserved, problems = _walk(pages, base, paths)
    report = "\n".join(f"{where}: {found}" for where, found in problems.items())
    # the rest are actions: a GET of them is refused (a page with an id missing from IDS is not)
    refused = {name: pages[role].evaluate(STATUS, base + path) for name, path, role in actions}
    for page in pages.values():
        page.context.close()
    assert problems == {}, report
    assert sorted(unserved + elsewhere) == sorted(NOT_SHOWN_HERE), checked
    assert len(checked) >= 100, checked
    assert {name: status for name, status in refused.items() if status != 405} == {}
    assert len(refused) >= 30, refused


# The platform's routes with an id that serve a file, and its links with a token.
PLATFORM_FILES = {"console_export_download"}
PLATFORM_TOKEN_PAGES = {"signup_confirm": 410}

# The account's steps (documents, second factor, forced password change) are the same views as
# a portal's, checked there; here they show only while a step is pending.
PLATFORM_STEPS = "account/"


@pytest.fixture
def operator_session(iskra):
    """A verified session of an operator made for the check (committed; removed after, with
    its second factor)."""
    from django_tenants.utils import schema_context

    from identity.models import User
    from identity.services import user_create
    from identity.tests.conftest import login_verified_staff

    box = {}

    def make():
        with schema_context("public"):
            box["outbox"] = _outbox_mark()
            operator = user_create(
                login="a11y-operator",
                password=PASSWORD,
                role="operator",
                email="a11y@ebok.example",
                if_exists="keep",
            )
        client = Client()
        login_verified_staff(client, "localhost", operator, PASSWORD)
        box["session"] = client.cookies[settings.SESSION_COOKIE_NAME].value
        box["tenant"] = _tenant_pk()
        box["signup"] = _a_signup()

    def remove():
        # closed, and its second factor gone (a sealed key would outlive other tests' key
        # rotation); the row stays, as an operator's account would (its log names it)
        from django_otp.plugins.otp_static.models import StaticDevice

        from identity.models import BackupCodeDevice, SealedTOTPDevice
        from tenants.models import SignupRequest

        with schema_context("public"):
            for model in (SealedTOTPDevice, BackupCodeDevice, StaticDevice):
                model.objects.filter(user__username="a11y-operator").delete()
            User.objects.filter(username="a11y-operator").update(is_active=False)
            _outbox_back_to(box["outbox"])  # the notices its enrolment sent
            SignupRequest.objects.filter(slug=SIGNUP_SLUG).delete()

    _in_own_connection(make)
    yield box
    _in_own_connection(remove)


def _outbox_mark() -> int:
    """The newest message in the current schema's outbox (what a check sends comes after)."""
    from core.outbox.models import Message

    return Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _outbox_back_to(mark: int) -> None:
    """The check's own mail (security notices of the second factors it enrolled) removed:
    other tests count what the platform sent."""
    from core.outbox.models import Message

    Message.objects.filter(pk__gt=mark).delete()


SIGNUP_SLUG = "a11y-signup"


def _a_signup() -> str:
    """An organisation's signup waiting for its e-mail to be confirmed (its status page)."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from tenants.models import SignupRequest, Tenant

    signup = SignupRequest.objects.create(
        public_id=uuid.uuid4(), organisation_name="Spółdzielnia Mieszkaniowa Próbna",
        kind=Tenant.Kind.HOUSING_COOPERATIVE, preset="A", nip="5260250274",
        address="ul. Próbna 1, 00-001 Warszawa", admin_first_name="Anna",
        admin_last_name="Próbna", admin_email="a11y-signup@example.com", slug=SIGNUP_SLUG,
        terms_version="2026-01", terms_accepted_at=timezone.now(),
        token_hash=uuid.uuid4().hex, token_expires_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    return str(signup.public_id)


def _tenant_pk() -> int:
    from tenants.models import Tenant

    return Tenant.objects.get(slug=SLUG).pk


def test_every_platform_page_is_axe_clean_on_a_phone_and_a_desktop(
    server, browser, operator_session
):
    """The platform's own pages: the landing page, the organisation's signup and terms, and the
    operators' console (a tenant's page among them, with its export form)."""
    base = f"http://localhost:{server}"
    anonymous = browser.new_context(locale="pl-PL")
    operator = browser.new_context(locale="pl-PL")
    operator.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": operator_session["session"], "url": base}]
    )
    pages = {"anonymous": anonymous.new_page(), "operator": operator.new_page()}
    ids = {
        "console_tenant": [{"pk": operator_session["tenant"]}],
        "signup_status": [{"public_id": operator_session["signup"]}],
    }
    paths, actions = [], []
    for route, name in url_routes("ebok.urls_public"):
        if route.startswith((*NOT_PAGES, PLATFORM_STEPS)) or name == "logout":
            continue
        if name in PLATFORM_FILES:
            continue
        roles = ["operator"] if route.startswith("console/") else list(pages)
        if "<" not in route:
            paths.append(("/" + route, roles))
        elif name in PLATFORM_TOKEN_PAGES:
            paths.append(
                (
                    _filled(route, {"token": "nieaktualny"}),
                    ["anonymous"],
                    (PLATFORM_TOKEN_PAGES[name],),
                )
            )
        elif name in ids:
            paths += [(_filled(route, values), roles) for values in ids[name]]
        else:
            actions.append((name, _filled(route, {"pk": operator_session["tenant"]}), roles[-1]))
    checked, elsewhere, unserved, problems = _walk(pages, base, paths)
    refused = {name: pages[role].evaluate(STATUS, base + path) for name, path, role in actions}
    anonymous.close()
    operator.close()
    assert problems == {}
    assert (unserved, elsewhere) == ([], []), checked
    assert {name: status for name, status in refused.items() if status != 405} == {}
    assert len(refused) >= 6, refused
    assert {"/", "/signup/", "/console/", f"/console/tenants/{operator_session['tenant']}/"} <= {
        path for path, _role in checked
    }
