"""The dabrowa demo customer sends a water reading on a phone (the issue's browser journey):
the meter page says what is expected, the reading is saved and shown, and both pages are
axe-clean."""

from __future__ import annotations

import pytest

from billing.tests.test_browser_dashboard import dabrowa  # noqa: F401 - the demo tenant fixture
from identity.tests.test_browser import _assert_accessible, _in_own_connection, customer_logs_in

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def _water_meter() -> dict:
    """The demo customer's cold water meter and its last reading (read in its own connection:
    the demo tenant is committed)."""
    from django_tenants.utils import schema_context

    from metering.models import Meter, Reading

    out: dict = {}

    def read():
        with schema_context("dabrowa"):
            meter = Meter.objects.filter(
                premises__legal_titles__customer__symbol="D0001234", kind="cold_water"
            ).first()
            last = Reading.objects.filter(register__meter=meter).order_by("-read_at").first()
            out.update(pk=meter.pk, serial=meter.serial_number, last=last.value)

    _in_own_connection(read)
    return out


def _forget_readings_sent(meter_id: int) -> None:
    from django_tenants.utils import schema_context

    from metering.models import Reading

    def remove():
        with schema_context("dabrowa"):
            Reading.objects.filter(register__meter_id=meter_id, source="customer").delete()

    _in_own_connection(remove)


def test_the_demo_customer_sends_a_water_reading_on_a_phone(server, browser, dabrowa):  # noqa: F811
    meter = _water_meter()
    _forget_readings_sent(meter["pk"])
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://dabrowa.localhost:{server}"
    try:
        customer_logs_in(page, base, "D0001234", "Dabrowa7")
        page.goto(f"{base}/meters/")
        _assert_accessible(page)
        page.locator(f'a[href="/meters/{meter["pk"]}/#reading"]').click()
        page.wait_for_url(f"{base}/meters/{meter['pk']}/#reading")
        assert "Odczyty przyjmujemy od" in page.content()  # the window is stated
        no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        assert page.evaluate(no_overflow), "the meter page scrolls sideways on a phone"
        _assert_accessible(page)
        value = f"{meter['last'] + 2:.3f}".replace(".", ",")
        page.locator("#id_value").fill(value)  # the decimal comma, as a phone's keypad gives it
        page.get_by_role("button", name="Wyślij odczyt").click()
        page.wait_for_url(f"{base}/meters/{meter['pk']}/")
        assert page.get_by_text("Dziękujemy, odczyt został zapisany.").is_visible()
        assert page.locator("table.table-cards tbody tr").first.get_by_text(value).count() == 1
        _assert_accessible(page)
    finally:
        context.close()
        _forget_readings_sent(meter["pk"])
