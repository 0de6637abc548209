"""Browser journey through the operators' console on a phone-sized screen: login on the root
host, TOTP enrolment, tenant list and search, a tenant's detail, a refused domain; axe-core
checks each page. Nothing is changed (the shared test tenants stay as they are)."""

from __future__ import annotations

import pytest
from django.db import connection

from identity.tests.test_browser import _assert_accessible, _in_own_connection, log_in_and_enrol

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
LOGIN, PASSWORD = "olga.przegladarka", "OpEr8t0r!xx"


@pytest.fixture
def operator(tenants):
    from django_tenants.utils import schema_context

    from identity.services import user_create

    # Operators are never deleted here: identity.User's reverse relations include tenant-only
    # tables, so the account is reset (no devices) and left inactive instead.
    def reset(active: bool):
        from django_otp.plugins.otp_static.models import StaticDevice

        from core.outbox.models import Message
        from identity.models import BackupCode, BackupCodeDevice
        from identity.models import SealedTOTPDevice as TOTPDevice

        with schema_context("public"):
            user = user_create(
                login=LOGIN,
                password=PASSWORD,
                role="operator",
                email="op@ebok.example",
                if_exists="keep",
            )
            user.set_password(PASSWORD)
            user.is_active = active
            user.save()
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            BackupCode.objects.filter(user=user).delete()
            BackupCodeDevice.objects.filter(user=user).delete()
            Message.objects.filter(recipient=user.email).delete()  # the enrolment's notice

    def make():
        reset(True)

    def remove():
        reset(False)

    _in_own_connection(make)
    yield LOGIN
    _in_own_connection(remove)
    connection.set_schema_to_public()


def test_operator_console_on_a_phone(server, browser, operator):
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    root = f"http://localhost:{server}"
    page.goto(f"{root}/console/")
    page.wait_for_url(f"{root}/login/?next=/console/")
    log_in_and_enrol(page, root, "public", LOGIN, PASSWORD)
    page.goto(f"{root}/console/")
    page.get_by_role("heading", name="Konsola operatorów").wait_for()
    _assert_accessible(page)
    assert page.get_by_role("link", name="Spółdzielnia Alfa").is_visible()
    # The search controls are as tall as a finger (#12 item 15: about 20 px).
    for control in (page.locator("#q"), page.get_by_role("button", name="Szukaj")):
        assert control.bounding_box()["height"] >= 44, control
    page.fill("#q", "beta")
    page.get_by_role("button", name="Szukaj").click()
    assert page.get_by_role("link", name="Beta Energia").is_visible()
    assert page.get_by_role("link", name="Spółdzielnia Alfa").count() == 0
    page.get_by_role("link", name="Beta Energia").click()
    page.get_by_role("heading", name="Beta Energia").wait_for()
    _assert_accessible(page)
    page.fill("#id_domain", "to nie jest domena")
    page.get_by_role("button", name="Dodaj domenę").click()
    assert page.locator(".error-summary, .flash-error, .error").first.is_visible()
    no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(no_overflow), "the console scrolls sideways on a phone"
    _assert_accessible(page)
    page.get_by_role("link", name="Dziennik zdarzeń platformy").click()
    page.get_by_role("heading", name="Dziennik zdarzeń platformy").wait_for()
    _assert_accessible(page)
    assert page.evaluate(no_overflow), "the platform audit log scrolls sideways on a phone"
    context.close()
