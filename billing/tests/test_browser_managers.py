"""Browser journey on the preset E demo tenant (property managers module): from the login page to
the managers' application, a refused NIP, then a sent application; axe-checked, phone-sized."""

import pytest

from identity.tests.test_browser import _assert_accessible, _field, _in_own_connection

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def zdroj():
    from django_tenants.utils import schema_context

    from demo.portals import load_demo_tenants

    _in_own_connection(lambda: load_demo_tenants(slugs=("zdroj",)))
    yield

    def remove():
        from billing.models import ManagerApplication

        with schema_context("zdroj"):
            ManagerApplication.objects.filter(nip="9542751368").delete()

    _in_own_connection(remove)


def test_manager_applies_from_the_login_page(server, zdroj, browser):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://zdroj.localhost:{server}"
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Dostęp dla zarządców nieruchomości").click()
    page.wait_for_url(f"{base}/managers/apply/")
    _assert_accessible(page)
    _field(page, "Nazwa firmy").fill("Zarządca Przeglądarkowy sp. z o.o.")
    _field(page, "NIP").fill("954-275-13-69")
    _field(page, "Osoba kontaktowa").fill("Anna Zarządzająca")
    _field(page, "Adres e-mail").fill("anna@zarzadca.example")
    _field(page, "Adresy, którymi Pan/Pani administruje (po jednym w wierszu)").fill(
        "Zdrojowa 1\nZdrojowa 3"
    )
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    assert page.get_by_text("Numer NIP jest nieprawidłowy").first.is_visible()
    _assert_accessible(page)
    _field(page, "NIP").fill("954-275-13-68")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    assert page.get_by_role("heading", name="Zgłoszenie wysłane").is_visible()
    _assert_accessible(page)
    context.close()
