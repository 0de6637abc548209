"""The jezioro demo customer gives and withdraws the consent to news and offers in the browser
(#22, art. 7 GDPR): account page → "Zgody" → one button to give → one button to withdraw, the
history showing both with the text's version. Phone-sized, Polish, each page axe-checked."""

from __future__ import annotations

import pytest

from identity.tests.test_browser import (
    _assert_accessible,
    _in_own_connection,
    customer_logs_in,
    in_tenant_committed,
)

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
LOGIN, PASSWORD = "L0000123", "JeZi42#ro"  # the README's demo customer of jezioro


def _records():
    from identity.models import ConsentRecord

    rows = ConsentRecord.objects.filter(user__username=LOGIN).order_by("id")
    return [(r.purpose, r.granted, r.text_version, r.channel) for r in rows]


def _forget():
    from identity.models import ConsentRecord

    ConsentRecord.objects.filter(user__username=LOGIN).delete()


@pytest.fixture
def jezioro():
    from demo.portals import load_demo_tenants

    _in_own_connection(lambda: load_demo_tenants(slugs=("jezioro",)))
    in_tenant_committed("jezioro", _forget)
    yield
    in_tenant_committed("jezioro", _forget)


def test_the_demo_customer_gives_and_withdraws_a_consent_in_one_click_each(
    server, browser, jezioro, tmp_path
):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://jezioro.localhost:{server}"
    customer_logs_in(page, base, LOGIN, PASSWORD)
    page.goto(f"{base}/account/")
    page.get_by_role("link", name="Zgody", exact=True).click()
    page.get_by_role("heading", name="Zgody", exact=True).wait_for()
    assert page.get_by_text("Nie udzielono tej zgody.").is_visible()
    _assert_accessible(page)

    page.get_by_role("button", name="Wyrażam zgodę").click()
    page.get_by_text("Dziękujemy: zgoda została zapisana.").wait_for()
    _assert_accessible(page)
    page.get_by_role("button", name="Wycofaj zgodę").click()
    page.get_by_text("Zgoda została wycofana").wait_for()
    history = page.get_by_role("table")
    assert history.get_by_text("Wycofana", exact=True).count() == 1
    assert history.get_by_text("Udzielona", exact=True).count() == 1
    page.screenshot(path=str(tmp_path / "consents.png"), full_page=True)  # for a failure
    assert page.get_by_role("button", name="Wyrażam zgodę").is_visible()
    _assert_accessible(page)
    context.close()

    assert in_tenant_committed("jezioro", _records) == [
        ("marketing", True, 1, "portal"),
        ("marketing", False, 1, "portal"),
    ]
