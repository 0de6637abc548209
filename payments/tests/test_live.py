"""Payments with everything real: the zdroj demo tenant on a live server, the Przelewy24
simulator sending its notifications over HTTP. Five notifications of one payment at once book
it once (SECURITY.md R8); the demo customer pays two invoices on a phone (the issue's browser
journey)."""

from __future__ import annotations

import pytest

from identity.tests.test_browser import (
    _assert_accessible,
    _in_own_connection,
    in_tenant_committed,
)
from payments.tests.conftest import MERCHANT

pytestmark = [pytest.mark.django_db]
CUSTOMER = ("klient.zdroj", "Zdroj2026x")


def _in_zdroj(work):
    return in_tenant_committed("zdroj", work)


@pytest.fixture
def zdroj_pays(server, simulator, settings):
    """zdroj (committed, as a live server needs) takes online payments at the simulator; the
    shop's addresses point at the live server."""
    from demo.portals import load_demo_ledger, load_demo_tenants
    from payments.services import gateway_account_save

    settings.PLATFORM_PORT = server
    simulator.verify_fails = False
    simulator.verify_delay = 0.0
    simulator.add_merchant(**MERCHANT)

    def make():
        load_demo_tenants(slugs=("zdroj",))
        load_demo_ledger("zdroj", customers=3, months=2)

    _in_own_connection(make)

    def bills():
        from billing.importing import import_text

        result = import_text(
            "invoices",
            "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
            "XP1;FV/P/1;K0;2026-11-02;2026-12-10;183.40\nXP2;FV/P/2;K0;2026-11-16;2026-12-20;61.15\n",
        )
        assert result.errors == [], result.errors

    _in_zdroj(bills)
    _in_zdroj(
        lambda: gateway_account_save(
            gateway="przelewy24",
            merchant_id=MERCHANT["merchant_id"],
            pos_id=MERCHANT["merchant_id"],
            secrets={"api_key": MERCHANT["api_key"], "crc": MERCHANT["crc"]},
            base_url=simulator.base_url,
        )
    )
    yield server

    def forget():
        from billing.models import Invoice
        from payments.models import GatewayAccount, Notification, Payment

        Notification.objects.all().delete()
        Payment.objects.all().delete()
        GatewayAccount.objects.all().delete()
        Invoice.objects.filter(erp_id__in=["XP1", "XP2"]).delete()

    _in_zdroj(forget)


def _unpaid(n: int) -> list[int]:
    from django.db.models import F

    from billing.models import Invoice

    return _in_zdroj(
        lambda: list(
            Invoice.objects.filter(erp_id__in=["XP1", "XP2"], paid__lt=F("gross"))
            .order_by("due_date", "id")
            .values_list("pk", flat=True)[:n]
        )
    )


def test_five_notifications_at_once_book_the_payment_once(zdroj_pays, simulator):
    from identity.models import User
    from payments.models import Notification, Payment
    from payments.services import payment_start

    invoices = _unpaid(1)
    payment, _url = _in_zdroj(
        lambda: payment_start(actor=User.objects.get(username=CUSTOMER[0]), invoice_ids=invoices)
    )
    statuses = simulator.pay(payment.token, times=5)
    assert statuses == [200] * 5
    state = _in_zdroj(
        lambda: (
            Payment.objects.get(pk=payment.pk).status,
            sorted(
                Notification.objects.filter(payment_id=payment.pk).values_list("outcome", flat=True)
            ),
        )
    )
    assert state == ("completed", ["already_booked"] * 4 + ["booked"])


@pytest.mark.browser
def test_the_demo_customer_pays_two_invoices_on_a_phone(zdroj_pays, simulator, browser):
    from payments.models import Payment

    invoices = _unpaid(2)
    assert len(invoices) == 2
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://zdroj.localhost:{zdroj_pays}"
    no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    try:
        page.goto(f"{base}/login/")
        page.fill("#id_login", CUSTOMER[0])
        page.fill("#id_password", CUSTOMER[1])
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        if page.url.endswith("/account/terms/"):
            for box in page.get_by_role("checkbox").all():
                box.check()
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
        page.goto(f"{base}/invoices/")
        page.locator(f'a[href="/payments/pay/?invoice={invoices[0]}"]').click()
        page.wait_for_url(f"{base}/payments/pay/?invoice={invoices[0]}")
        _assert_accessible(page)
        assert page.evaluate(no_overflow), "the payment page scrolls sideways on a phone"
        page.locator(f'input[name="invoices"][value="{invoices[1]}"]').check()
        assert page.locator(f'input[name="invoices"][value="{invoices[0]}"]').is_checked()
        page.get_by_role("button", name="Przejdź do płatności").click()
        page.wait_for_url(f"{simulator.base_url}/trnRequest/*")
        page.get_by_role("button", name="Zapłać").click()  # the gateway's page
        page.wait_for_url(f"{base}/payments/*/")
        _assert_accessible(page)
        payment = _in_zdroj(lambda: Payment.objects.get())
        for _ in range(50):  # the notification arrives on its own, a moment later
            if _in_zdroj(lambda: Payment.objects.get().status) == "completed":
                break
            page.wait_for_timeout(100)
        page.reload()
        assert page.get_by_role("heading", name="Zapłacono. Dziękujemy!").is_visible()
        _assert_accessible(page)
        assert sorted(
            _in_zdroj(lambda: list(payment.allocations.values_list("invoice_id", flat=True)))
        ) == sorted(invoices)
    finally:
        context.close()
