"""The zdroj demo customer reports a failure with a photo on a phone-sized screen and later sees
the office's answer (the issue's browser journey); every page on the way is axe-clean and none
scrolls sideways."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from identity.tests.test_browser import (
    _assert_accessible,
    _in_own_connection,
    customer_logs_in,
    in_tenant_committed,
)

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
SUBJECT = "Przecieka zawór przy wodomierzu"
NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def zdroj():
    from demo.portals import load_demo_ledger, load_demo_tenants

    def make():
        load_demo_tenants(slugs=("zdroj",))
        load_demo_ledger("zdroj", customers=3, months=2)

    _in_own_connection(make)


def _in_zdroj(work):
    return in_tenant_committed("zdroj", work)


def _office_answers(text: str) -> str:
    from correspondence.models import Case
    from correspondence.services import case_answer
    from identity.models import User

    def answer():
        case = Case.objects.get(subject=SUBJECT)
        case_answer(actor=User.objects.get(username="obsluga"), case_id=case.pk, text=text)
        return case.reference

    return _in_zdroj(answer)


def _forget_the_case() -> None:
    from correspondence.models import Case

    def remove():
        for case in Case.objects.filter(subject=SUBJECT):
            case.messages.all().delete()
            case.delete()

    _in_zdroj(remove)


def test_the_demo_customer_reports_a_failure_with_a_photo_on_a_phone(
    server, browser, zdroj, tmp_path
):
    _forget_the_case()
    photo = tmp_path / "wyciek.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 90, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    context = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = f"http://zdroj.localhost:{server}"
    try:
        customer_logs_in(page, base, "klient.zdroj", "Zdroj2026x")
        page.locator('.portal-nav a[href="/cases/"]').click()
        page.wait_for_url(f"{base}/cases/")
        _assert_accessible(page)
        assert page.evaluate(NO_OVERFLOW), "the cases page scrolls sideways on a phone"
        page.get_by_role("link", name="Zgłoszenie awarii").click()
        page.wait_for_url(f"{base}/cases/new/failure/")
        _assert_accessible(page)
        page.get_by_role("button", name="Wyślij").click()  # nothing filled in: the form says so
        assert page.locator("#error-summary").is_visible()
        # the focus is on what to correct, not back at the top of the page
        assert page.evaluate("document.activeElement.id") == "error-summary"
        _assert_accessible(page)
        page.locator("#id_premises").select_option(index=1)
        page.locator("#id_place").fill("studzienka wodomiercza w piwnicy")
        page.get_by_label("Pilne").check()
        page.locator("#id_subject").fill(SUBJECT)
        page.locator("#id_text").fill("Przy wodomierzu w piwnicy z zaworu kapie woda.")
        page.locator("#id_attachments").set_input_files(str(photo))
        page.get_by_role("button", name="Wyślij").click()
        page.wait_for_url(f"{base}/cases/*/")
        confirmation = page.locator(".flash").inner_text()
        assert "AW/" in confirmation
        assert page.get_by_role("link", name="wyciek.jpg").is_visible()
        assert page.evaluate(NO_OVERFLOW), "the case page scrolls sideways on a phone"
        _assert_accessible(page)
        reference = _office_answers("Ekipa będzie dziś do 14:00, prosimy o dostęp do piwnicy.")
        page.reload()
        assert page.get_by_text("Ekipa będzie dziś do 14:00", exact=False).is_visible()
        assert page.locator(".details .status").inner_text() == "Odpowiedziano"
        assert reference in page.locator("h1").inner_text()
        _assert_accessible(page)
        page.goto(f"{base}/cases/")
        assert page.get_by_role("link", name=reference).is_visible()
    finally:
        context.close()
        _forget_the_case()
