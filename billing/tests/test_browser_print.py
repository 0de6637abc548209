"""An invoice printed from the browser (#21 item 5): the print stylesheet leaves the page's
content only (no header, menu, footer or buttons), and Chromium's own print to PDF holds the
invoice's number and amount on an A4 page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from identity.tests.test_browser import _in_own_connection, customer_logs_in, in_tenant_committed

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
LOGIN, PASSWORD = "anna.wisniewska", "Iskra2026"  # the README's demo customer of iskra


def _give_an_invoice():
    from billing.importing import import_text
    from billing.models import Customer, Invoice
    from billing.services import customer_account_attach
    from identity.models import User

    for entity, payload in (
        ("customers", "erp_id;symbol;kind;name\nPRN1;PRN-1;individual;Anna Wiśniewska\n"),
        (
            "invoices",
            "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
            "PRN-F;FV/PRN/1;PRN1;2026-10-01;2026-10-15;123.45\n",
        ),
    ):
        assert not import_text(entity, payload).errors, entity
    customer_account_attach(
        customer_ids=[Customer.objects.get(erp_id="PRN1").pk],
        user=User.objects.get(username=LOGIN),
    )
    return Invoice.objects.get(erp_id="PRN-F").pk


def _take_back():
    from billing.models import Customer, Invoice

    Invoice.objects.filter(erp_id="PRN-F").delete()
    Customer.objects.filter(erp_id="PRN1").delete()


@pytest.fixture
def invoice_id():
    from demo.portals import load_demo_tenants

    _in_own_connection(lambda: load_demo_tenants(slugs=("iskra",)))
    yield in_tenant_committed("iskra", _give_an_invoice)
    in_tenant_committed("iskra", _take_back)


def test_an_invoice_prints_its_content_only(server, browser, invoice_id):
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = f"http://iskra.localhost:{server}"
    customer_logs_in(page, base, LOGIN, PASSWORD)
    page.goto(f"{base}/invoices/{invoice_id}/")
    download = page.get_by_role("link", name="Pobierz PDF")
    assert download.is_visible()
    page.emulate_media(media="print")
    assert not download.is_visible()
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("footer.site-footer").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    printed = page.pdf(format="A4")
    context.close()
    assert printed.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printed)).pages)
    assert "FV/PRN/1" in text
    assert "123,45" in text
    assert "Wyloguj" not in text  # nothing of the page's chrome
