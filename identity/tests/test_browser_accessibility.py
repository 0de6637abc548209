"""The accessibility declaration of a demo portal is one click from any page (#21): a visitor on
a phone follows the footer's link from the login page and reads the declaration, axe-checked,
in Polish and in Ukrainian."""

from __future__ import annotations

import pytest

from identity.tests.test_browser import _assert_accessible, _in_own_connection

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def jezioro():
    from demo.portals import load_demo_tenants

    _in_own_connection(lambda: load_demo_tenants(slugs=("jezioro",)))


@pytest.mark.parametrize(
    ("locale", "link", "heading", "contact"),
    [
        ("pl-PL", "Deklaracja dostępności", "Dostępność architektoniczna", "Za rozpatrywanie"),
        ("uk-UA", "Декларація доступності", "Архітектурна доступність", "розглядає"),
    ],
)
def test_a_visitor_reaches_the_declaration_in_one_click(
    server, browser, jezioro, locale, link, heading, contact
):
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"http://jezioro.localhost:{server}/login/")
    page.get_by_role("link", name=link).click()
    page.get_by_role("heading", name=link, level=1).wait_for()
    assert page.get_by_role("heading", name=heading).is_visible()
    assert contact in page.locator("main").inner_text()
    assert page.locator("#a11y-data-przeglad").inner_text() == "2026-03-16"
    _assert_accessible(page)
    context.close()
