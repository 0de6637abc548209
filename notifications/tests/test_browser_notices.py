"""The dabrowa demo customer chooses their notices on a phone: the page lists the tenant's
events by heading, security notices cannot be unticked, a change is saved and shown in the
history by its title; the page is axe-clean and does not scroll sideways."""

from __future__ import annotations

import pytest

from billing.tests.test_browser_dashboard import dabrowa  # noqa: F401 - the demo tenant fixture
from identity.tests.test_browser import _assert_accessible, _in_own_connection, customer_logs_in

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def _forget_choices() -> None:
    from django_tenants.utils import schema_context

    from notifications.models import Preference, PreferenceChange

    def remove():
        with schema_context("dabrowa"):
            Preference.objects.all().delete()
            PreferenceChange.objects.all().delete()

    _in_own_connection(remove)


def test_the_demo_customer_chooses_notices_on_a_phone(server, browser, dabrowa):  # noqa: F811
    _forget_choices()
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://dabrowa.localhost:{server}"
    try:
        customer_logs_in(page, base, "D0001234", "Dabrowa7")
        page.goto(f"{base}/account/")
        page.get_by_role("link", name="Powiadomienia").click()
        page.wait_for_url(f"{base}/account/notifications/")
        for heading in ("Płatności i rozliczenia", "Liczniki i odczyty", "Bezpieczeństwo konta"):
            assert page.locator("legend", has_text=heading).count() == 1, heading
        assert page.locator("#security_password_changed-email").is_disabled()
        assert page.locator("#security_password_changed-email").is_checked()
        no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        assert page.evaluate(no_overflow), "the notices page scrolls sideways on a phone"
        _assert_accessible(page)
        page.locator("#invoice_new-email").uncheck()
        page.get_by_role("button", name="Zapisz moje wybory").click()
        page.wait_for_url(f"{base}/account/notifications/")
        assert page.get_by_text("Twoje wybory zostały zapisane.").is_visible()
        assert not page.locator("#invoice_new-email").is_checked()
        history = page.locator("ul.plain-list li").first.inner_text()
        assert "Nowa faktura: e-mail wył." in history
        _assert_accessible(page)
    finally:
        context.close()
        _forget_choices()
