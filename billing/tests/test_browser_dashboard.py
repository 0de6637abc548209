"""The monthly chart as a phone shows it (#12 item 5): the viewBox lacked its height and the
month labels their position, so on a 390 px phone the newest months were cut off."""

import pytest

from identity.tests.test_browser import _assert_accessible, _in_own_connection, customer_logs_in

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def dabrowa():
    from demo.portals import load_demo_ledger, load_demo_tenants

    def make():
        load_demo_tenants(slugs=("dabrowa",))
        load_demo_ledger("dabrowa", customers=3, months=12)

    _in_own_connection(make)


def test_the_chart_fits_a_phone_with_every_month_labelled(server, browser, dabrowa):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://dabrowa.localhost:{server}"
    # The terms, if another test has not accepted them for this demo customer already.
    customer_logs_in(page, base, "D0001234", "Dabrowa7")
    page.wait_for_url(f"{base}/")
    chart = page.locator("svg.bar-chart")
    chart.scroll_into_view_if_needed()
    frame = chart.bounding_box()
    assert frame["height"] > 40  # drawn, not collapsed
    assert frame["x"] >= 0
    assert frame["x"] + frame["width"] <= 390
    labels = page.locator("svg.bar-chart text.bar-label")
    assert labels.count() >= 6
    for i in range(labels.count()):
        box = labels.nth(i).bounding_box()
        assert box is not None, i
        assert frame["x"] <= box["x"]
        assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5, i  # not cut off
        assert frame["y"] <= box["y"]
        assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5, i
    bars = page.locator("svg.bar-chart rect.bar")
    newest = bars.nth(bars.count() - 1).bounding_box()
    assert newest["x"] + newest["width"] <= 390  # the newest month is on the screen
    _assert_accessible(page)
    context.close()
