"""A clerk on a tablet finds the dabrowa demo customer by a misspelled surname in the search box
of the office, opens the card, corrects the phone and blocks the account; every page axe-clean
and none scrolling sideways."""

from __future__ import annotations

import pytest

from billing.tests.test_browser_dashboard import dabrowa  # noqa: F401 - the demo tenant fixture
from identity.tests.test_browser import _assert_accessible, _in_own_connection, log_in_and_enrol

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _reset() -> None:
    """The demo customer active with no phone on the account, the clerk without a device."""
    from django_tenants.utils import schema_context

    from identity.models import SealedTOTPDevice, User

    def run():
        with schema_context("dabrowa"):
            User.objects.filter(username="D0001234").update(is_active=True, phone="")
            SealedTOTPDevice.objects.filter(user__username="obsluga").delete()

    _in_own_connection(run)


def _state() -> tuple[bool, str]:
    from django_tenants.utils import schema_context

    from identity.models import User

    def read():
        with schema_context("dabrowa"):
            user = User.objects.get(username="D0001234")
            return user.is_active, user.phone

    return _in_own_connection(read)


def test_a_clerk_on_a_tablet_finds_corrects_and_blocks(server, browser, dabrowa):  # noqa: F811
    _reset()
    context = browser.new_context(locale="pl-PL", viewport={"width": 820, "height": 1180})
    page = context.new_page()
    base = f"http://dabrowa.localhost:{server}"
    try:
        page.goto(f"{base}/login/")
        log_in_and_enrol(page, base, "dabrowa", "obsluga", "Dabrowa7")
        page.goto(f"{base}/office/")
        search_box = page.get_by_role("searchbox", name="Znajdź klienta")
        search_box.fill("Debowksa")  # no Polish letters, two letters swapped
        search_box.press("Enter")
        page.wait_for_url(f"{base}/office/customers/?q=Debowksa")
        assert page.evaluate(NO_OVERFLOW), "the results scroll sideways on a tablet"
        _assert_accessible(page)
        page.get_by_role("link", name="Krystyna Dębowska").first.click()
        page.get_by_role("heading", name="Krystyna Dębowska").wait_for()
        assert page.evaluate(NO_OVERFLOW), "the card scrolls sideways on a tablet"
        _assert_accessible(page)

        page.get_by_label("Telefon", exact=True).fill("601 202 303")
        page.get_by_role("button", name="Zapisz dane kontaktowe").click()
        page.get_by_text("Dane kontaktowe zostały zapisane.").wait_for()
        assert _state() == (True, "601 202 303")
        assert page.get_by_text("601 202 303", exact=False).first.is_visible()

        page.get_by_label("Powód blokady").fill("Nadużycie portalu")
        page.get_by_role("button", name="Zablokuj konto").click()
        page.get_by_text("Nadużycie portalu").first.wait_for()
        assert page.get_by_role("button", name="Odblokuj konto").is_visible()
        assert _state() == (False, "601 202 303")
        _assert_accessible(page)
    finally:
        context.close()
        _reset()
