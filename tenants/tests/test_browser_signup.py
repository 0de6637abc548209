"""Browser journey (Playwright + Debian's Chromium), on a phone-sized screen: an organisation
signs up on the platform's root host (live subdomain check), confirms its e-mail, watches the
portal being provisioned, and its administrator sets a password on the new subdomain, logs in,
enrols the authenticator app and lands in the setup wizard. axe-core checks each page."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import first_link
from identity.tests.test_browser import _assert_accessible, _in_own_connection, log_in_and_enrol

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
SLUG = "przegladarkowa"
EMAIL = "prezes@przegladarkowa.example"


def _latest_mail(schema: str, recipient: str) -> str:
    from django_tenants.utils import schema_context

    from core.outbox.models import Message

    with schema_context(schema):
        return Message.objects.filter(recipient=recipient).latest("created_at").body_text


def _remove_everything():
    from django_tenants.utils import schema_context

    from core.outbox.models import Message
    from tenants.models import PlatformEvent, SignupRequest, Tenant, TenantSettingChange

    with schema_context("public"):
        tenant = Tenant.objects.filter(slug=SLUG).first()
        if tenant is not None:
            TenantSettingChange.objects.filter(tenant=tenant).delete()
            tenant.delete(force_drop=True)
        SignupRequest.objects.filter(slug=SLUG).delete()
        PlatformEvent.objects.filter(tenant_slug=SLUG).delete()
        Message.objects.filter(recipient=EMAIL).delete()


@pytest.fixture
def clean_signup(tenants):
    _in_own_connection(_remove_everything)
    yield
    _in_own_connection(_remove_everything)
    connection.set_schema_to_public()


def test_sign_up_confirm_provision_and_first_admin_login(server, browser, clean_signup):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    root = f"http://localhost:{server}"

    page.goto(f"{root}/signup/")
    _assert_accessible(page)
    page.fill("#id_organisation_name", "Spółdzielnia Mieszkaniowa Przeglądarkowa")
    page.select_option("#id_kind", "housing_cooperative")
    page.fill("#id_nip", "526-025-02-74")
    page.fill("#id_address", "ul. Klikowa 3, 00-950 Warszawa")
    page.fill("#id_admin_first_name", "Paweł")
    page.fill("#id_admin_last_name", "Prezesowski")
    page.fill("#id_admin_email", EMAIL)
    slug = page.locator("#id_slug")
    slug.press_sequentially("alpha")  # taken: the live check says so before submitting
    status = page.locator("#id_slug_status")
    status.filter(has_text="zajęta").wait_for()
    slug.fill("")
    slug.press_sequentially(SLUG)
    status.filter(has_text="wolna").wait_for()
    page.check("#id_accept_terms")
    page.get_by_role("button", name="Załóż").click()
    page.get_by_role("heading", name="Sprawdź pocztę").wait_for()
    _assert_accessible(page)

    link = _in_own_connection(lambda: first_link(_latest_mail("public", EMAIL)))
    assert link.startswith(f"{root}/signup/confirm/")
    page.goto(link)
    _assert_accessible(page)
    page.get_by_role("button", name="Potwierdź i utwórz portal").click()
    portal = page.get_by_role("link", name="Przejdź do portalu")
    portal.wait_for(timeout=60_000)
    assert page.locator("#progress").get_attribute("value") == "100"
    _assert_accessible(page)
    base = f"http://{SLUG}.localhost:{server}"
    assert portal.get_attribute("href") == f"{base}/"

    invitation = _in_own_connection(lambda: first_link(_latest_mail(SLUG, EMAIL)))
    assert invitation.startswith(f"{base}/password/set/")
    page.goto(invitation)
    page.fill("#id_new_password", "PaWe1$Pr22")
    page.fill("#id_new_password_repeat", "PaWe1$Pr22")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/login/")
    log_in_and_enrol(page, base, SLUG, EMAIL, "PaWe1$Pr22", check=_assert_accessible)
    page.get_by_role("link", name="Dalej").click()
    page.wait_for_url(f"{base}/office/onboarding/")
    assert page.get_by_role("heading", name="Przygotowanie portalu").is_visible()
    no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(no_overflow), "the wizard scrolls sideways on a phone"
    _assert_accessible(page)
    # Every step of the wizard and the office's pages fit a 390 px phone (#12 item 15: the
    # rules, documents and audit log pages scrolled sideways).
    wide = []
    for path in [
        *(f"/office/onboarding/{step}/" for step in ("branding", "rules", "documents", "staff")),
        *(f"/office/onboarding/{step}/" for step in ("import", "domain", "publish")),
        "/office/audit/",
        "/office/documents/",
        "/office/accounts/",
        "/office/customers/?q=Kowalska",
        "/office/staff/",
        "/office/api-keys/",
        "/office/reports/",
        "/office/import/help/",
        "/office/settings/",
        *(f"/office/settings/{group}/" for group in ("password_policy", "registration", "modules")),
    ]:
        page.goto(f"{base}{path}")
        if not page.evaluate(no_overflow):
            wide.append((path, page.evaluate("document.documentElement.scrollWidth")))
        if path.startswith(
            (
                "/office/staff",
                "/office/api-keys",
                "/office/settings",
                "/office/reports",
                "/office/import/help",
            )
        ):
            _assert_accessible(page)  # the administrator's new pages, axe-clean on a phone
    assert wide == [], f"pages wider than the phone: {wide}"
    context.close()
