"""The jezioro demo customer downloads a copy of their data in the browser (#22, art. 15 and 20
GDPR): account page → "A copy of my data" → password → the copy is ready → the ZIP downloads
and opens with the expected files. Phone-sized, Polish, each page axe-checked."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from identity.tests.test_browser import (
    _assert_accessible,
    _in_own_connection,
    customer_logs_in,
    in_tenant_committed,
)

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
LOGIN, PASSWORD = "L0000123", "JeZi42#ro"  # the README's demo customer of jezioro


@pytest.fixture
def jezioro():
    """The demo tenant, its customer L0000123 holding a flat with an invoice (committed, as the
    live server sees it); taken away again after the test."""
    from demo.portals import load_demo_tenants

    _in_own_connection(lambda: load_demo_tenants(slugs=("jezioro",)))
    in_tenant_committed("jezioro", _give_a_flat)
    yield
    in_tenant_committed("jezioro", _take_back)


def _give_a_flat():
    from billing.importing import import_text
    from billing.models import Customer
    from billing.services import customer_account_attach
    from identity.models import User

    for entity, payload in (
        ("customers", "erp_id;symbol;kind;name\nBRW1;L0000123;individual;Anna Jeziorna\n"),
        (
            "premises",
            "erp_id;kind;street;building_no;flat_no;city\nBRW-M;residential;Wodna;3;7;Jezioro\n",
        ),
        (
            "legal-titles",
            "erp_id;customer_erp_id;premises_erp_id;valid_from\nBRW-T;BRW1;BRW-M;2020-01-01\n",
        ),
        (
            "invoices",
            "erp_id;number;customer_erp_id;issue_date;due_date;gross\n"
            "BRW-F;FV/BRW/1;BRW1;2026-10-01;2026-10-15;123.45\n",
        ),
    ):
        assert not import_text(entity, payload).errors, entity
    customer_account_attach(
        customer_ids=[Customer.objects.get(erp_id="BRW1").pk],
        user=User.objects.get(username=LOGIN),
    )


def _take_back():
    from django.core.files.storage import default_storage

    from billing.models import Customer, Invoice, LegalTitle, Premises
    from identity.models import DataExport

    for export in DataExport.objects.filter(user__username=LOGIN):
        if export.path:
            default_storage.delete(export.path)
        export.delete()
    Invoice.objects.filter(erp_id="BRW-F").delete()
    LegalTitle.objects.filter(erp_id="BRW-T").delete()
    Premises.objects.filter(erp_id="BRW-M").delete()
    Customer.objects.filter(erp_id="BRW1").delete()


def _customer_of_the_demo():
    from billing.models import Customer, Invoice

    customers = Customer.objects.filter(user__username=LOGIN)
    return sorted(c.erp_id for c in customers), sorted(
        Invoice.objects.filter(customer__in=customers).values_list("number", flat=True)
    )


def test_the_demo_customer_downloads_their_data_and_the_zip_opens(
    server, browser, jezioro, tmp_path
):
    context = browser.new_context(
        locale="pl-PL", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    page = context.new_page()
    base = f"http://jezioro.localhost:{server}"
    customer_logs_in(page, base, LOGIN, PASSWORD)
    page.goto(f"{base}/account/")
    page.get_by_role("link", name="Kopia moich danych").click()
    page.get_by_role("heading", name="Kopia moich danych").wait_for()
    _assert_accessible(page)
    page.get_by_label("Twoje hasło").fill(PASSWORD)
    page.get_by_role("button", name="Przygotuj kopię moich danych").click()
    # Built in the background (eagerly in tests): the page lists it as ready.
    download_link = page.get_by_role("link", name=re.compile("Pobierz \\(ZIP\\)"))
    download_link.wait_for()
    assert page.get_by_text("Gotowa do pobrania").first.is_visible()
    _assert_accessible(page)
    with page.expect_download() as downloading:
        download_link.click()
    download = downloading.value
    assert re.fullmatch(r"moje-dane-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    context.close()

    erp_ids, invoice_numbers = in_tenant_committed("jezioro", _customer_of_the_demo)
    assert "BRW1" in erp_ids
    assert "FV/BRW/1" in invoice_numbers
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every member reads back intact
        names = set(archive.namelist())
        assert {"README.txt", "identity/user.json", "billing/customer.json"} <= names
        (user,) = json.loads(archive.read("identity/user.json"))
        assert user["username"] == LOGIN
        customers = json.loads(archive.read("billing/customer.json"))
        assert sorted(c["erp_id"] for c in customers) == erp_ids
        numbers = [i["number"] for i in json.loads(archive.read("billing/invoice.json"))]
        assert sorted(numbers) == invoice_numbers
        assert archive.read("billing/invoice/FV-BRW-1.pdf").startswith(b"%PDF")
        assert "Kopia Twoich danych osobowych" in archive.read("README.txt").decode()
