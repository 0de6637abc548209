"""Back-office import: CSV and XLSX uploads, job page, permissions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook

from billing.importing import decode_text
from billing.models import Customer, ImportJob
from billing.tests.conftest import FILES
from identity.services import user_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def _upload(client, name, content, entity="customers", dry_run=False, encoding="auto"):
    data = {"entity": entity, "file": SimpleUploadedFile(name, content), "encoding": encoding}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/office/import/", data, HTTP_HOST=HOST)


def test_csv_upload_runs_a_job_with_a_progress_page(
    client, accountant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "klienci.csv", FILES["customers"].encode())
    job = ImportJob.objects.get()
    assert response["Location"] == f"/office/import/{job.pk}/"
    page = client.get(response["Location"], HTTP_HOST=HOST).content.decode()
    assert 'value="100"' in page
    assert Customer.objects.count() == 2
    status = client.get(f"/office/import/{job.pk}/status", HTTP_HOST=HOST).json()
    assert status == {
        "status": "done",
        "status_label": "Gotowe",
        "percent": 100,
        "processed_rows": 2,
        "total_rows": 2,
        "running": False,
    }


def test_xlsx_upload(client, accountant, django_capture_on_commit_callbacks):
    workbook = Workbook()
    sheet = workbook.active
    for line in FILES["customers"].strip().splitlines():
        sheet.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "klienci.xlsx", buffer.getvalue())
    assert sorted(Customer.objects.values_list("erp_id", flat=True)) == ["K1", "K2"]


def test_bad_files_are_refused_with_a_message(client, accountant):
    broken = _upload(client, "klienci.xlsx", b"not a workbook")
    assert broken.status_code == 400
    assert "XLSX" in broken.content.decode()
    # Bytes that are text in no encoding ERP files come in (named as Windows-1250, where 0x81
    # and 0x98 are undefined) are refused, and nothing is stored.
    unreadable = _upload(
        client, "klienci.csv", b"erp_id;symbol\nK1;\x81\x98\n", encoding="windows-1250"
    )
    assert unreadable.status_code == 400
    assert "Windows-1250" in unreadable.content.decode()
    assert not ImportJob.objects.exists()
    # An ISO-8859-2 file (older Unix exports) is recognised, its letters intact.
    assert decode_text("erp_id;symbol\nK1;Łódź Świętość\n".encode("iso-8859-2")).endswith(
        "Łódź Świętość\n"
    )


def test_only_accountants_and_admins_import(client, tenants):
    connection.set_tenant(tenants.a)
    user_create(login="bok", password="BiUr42#ok", role="customer_service")
    user = user_create(login="L0000001", password="RyBa18$05")
    client.force_login(user)
    assert client.get("/office/import/", HTTP_HOST=HOST).status_code == 403
    client.logout()
    assert client.get("/office/import/", HTTP_HOST=HOST).status_code == 302


def test_the_job_page_speaks_the_readers_language_whoever_uploaded(
    client, accountant, django_capture_on_commit_callbacks
):
    """#12 item 15: row errors were stored in the uploader's language, the status and the
    entity were raw codes, and the Ukrainian title read "Імпортувати #1" (the verb)."""
    client.cookies["django_language"] = "en"
    bad = (
        "erp_id;symbol;kind;name;email\nK9;L0000009;individual;Jan Zły;nie-mail\n"
        "K8;L0000008;individual;Ewa Dobra;\n"
        "K8;L0000010;individual;Ewa Powtórzona;\n"  # the same erp_id: a message with a number
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "klienci.csv", bad.encode())
    job = ImportJob.objects.get()
    assert job.errors[0]["detail"] == "Not an e-mail address."  # as the uploader read it
    client.cookies["django_language"] = "pl"
    page = client.get(response["Location"], HTTP_HOST=HOST).content.decode()
    assert "To nie jest adres e-mail." in page
    assert "Ten sam erp_id jest także w wierszu 2." in page  # %(n)d with a stored number
    assert "Not an e-mail address." not in page
    assert "Klienci" in page
    assert "Gotowe" in page
    assert ">done<" not in page
    client.cookies["django_language"] = "uk"
    page = client.get(response["Location"], HTTP_HOST=HOST).content.decode()
    assert f"Імпорт #{job.pk}" in page
    assert "Імпортувати #" not in page
    client.cookies["django_language"] = "pl"
    listing = client.get("/office/import/", HTTP_HOST=HOST).content.decode()
    assert '<option value="legal-titles">Tytuły prawne do lokali</option>' in listing
