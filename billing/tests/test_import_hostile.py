"""Hostile and broken import files (audit finding 6, SECURITY.md R6): each is refused as a
whole with 400 and a clear message, nothing is stored, no job is left behind; a job whose
worker died is resumed and ends with the same data as one clean run."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

from billing import services
from billing.importing import CSV_FIELD_LIMIT, MAX_UNPACKED_BYTES
from billing.models import Customer, ImportJob
from billing.tests.conftest import FILES
from identity.services import api_key_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def _workbook(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rezip(data: bytes, change) -> bytes:
    """The workbook with its members changed by ``change(name, content) -> content|None``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info.filename, content)
    return out.getvalue()


def _bomb() -> bytes:
    """A small XLSX whose shared strings unpack to more than the cap (one huge cell)."""
    huge = b"A" * (MAX_UNPACKED_BYTES + 1024)

    def change(name, content):
        if name == "xl/sharedStrings.xml" or name.endswith("sheet1.xml"):
            return content.replace(b"SYMBOL", huge) if b"SYMBOL" in content else content
        return content

    data = _rezip(_workbook([["SYMBOL", "x"]]), change)
    assert len(data) < 1024 * 1024  # it is small on the wire
    return data


def _truncated_sheet() -> bytes:
    return _rezip(
        _workbook([["erp_id", "symbol"], ["K1", "L1"]]),
        lambda name, content: (
            content[: len(content) // 2] if name.endswith("sheet1.xml") else content
        ),
    )


def _no_sheet() -> bytes:
    return _rezip(
        _workbook([["erp_id"]]),
        lambda name, content: None if name.endswith("sheet1.xml") else content,
    )


def _bad_shared_string() -> bytes:
    def change(name, content):
        if name.endswith("sheet1.xml"):
            # A cell that points at shared string 999999 of a table that has none.
            return content.replace(b't="inlineStr"><is><t>K1</t></is>', b't="s"><v>999999</v>')
        return content

    return _rezip(_workbook([["erp_id", "symbol"], ["K1", "L1"]]), change)


HOSTILE_UPLOADS = [
    ("bomba.xlsx", _bomb, "more than 200 MB"),
    ("ucięty.xlsx", _truncated_sheet, "not a readable XLSX"),
    ("bez-arkusza.xlsx", _no_sheet, "The workbook has no sheet"),
    ("zły-indeks.xlsx", _bad_shared_string, "not a readable XLSX"),
    ("nie-zip.xlsx", lambda: b"PK\x03\x04 to nie jest zip", "not a readable XLSX"),
    ("nul.csv", lambda: FILES["customers"].encode() + b"K9;L9\x00;individual;X;;Y\n", "NUL"),
    (
        "długie-pole.csv",
        lambda: ("erp_id;name\nK1;" + "x" * (CSV_FIELD_LIMIT + 1) + "\n").encode(),
        "cannot be read as CSV",
    ),
    ("otwarty-cudzysłów.csv", lambda: b'erp_id;name\nK1;"' + b"x" * 200_000, "cannot be read"),
]


@pytest.mark.parametrize(("name", "make", "expected"), HOSTILE_UPLOADS)
def test_a_hostile_upload_is_refused_and_nothing_is_stored(
    client, accountant, name, make, expected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/office/import/",
            {"entity": "customers", "file": SimpleUploadedFile(name, make())},
            HTTP_HOST=HOST,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (FILES["customers"] + "K9;L\x009;individual;X;;Y\n", "NUL"),
        ("erp_id;name\nK1;" + "x" * (CSV_FIELD_LIMIT + 1) + "\n", "cannot be read as CSV"),
    ],
)
def test_a_hostile_api_import_is_refused_with_400(client, tenants, body, expected):
    connection.set_tenant(tenants.a)
    key = api_key_create(name="ERP")
    response = client.post(
        "/api/v1/import/customers",
        body,
        content_type="text/csv",
        HTTP_HOST=HOST,
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (response.status_code, response.json()["code"]) == (400, "unreadable_file")
    assert expected in response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_a_job_that_crashes_ends_failed_without_its_file(tenants):
    """A file stored before these checks existed (or broken in a way only the run finds) no
    longer leaves the job "queued" forever with the file kept."""
    connection.set_tenant(tenants.a)
    job = ImportJob.objects.create(
        entity="customers", payload="erp_id;name\nK1;" + "x" * (CSV_FIELD_LIMIT + 1)
    )
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.payload == ""
    assert "cannot be read as CSV" in job.failure
    assert job.finished_at is not None


def test_an_interrupted_import_is_resumed_and_ends_as_one_clean_run(tenants):
    """R6: the worker died after the first rows were written (the job is "running", its last
    sign of life long ago). The sweep queues it again; the second run writes the rest, and the
    data equal a single clean import."""
    connection.set_tenant(tenants.a)
    body = FILES["customers"]
    job = ImportJob.objects.create(entity="customers", payload=body)
    # What the first, killed run had managed: the first row written, the job marked running.
    from billing.importing import import_text

    first_row_only = "\n".join(body.strip().splitlines()[:2]) + "\n"
    assert import_text("customers", first_row_only).created == 1
    long_ago = timezone.now() - services.IMPORT_STALE_AFTER * 2
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=1, heartbeat_at=long_ago, processed_rows=1
    )

    report = services.import_jobs_sweep()  # eager: the re-queued run happens on commit
    assert report == {"resumed": 1, "failed": 0}
    services.import_job_run(job_id=job.pk)  # as the re-queued task does
    job.refresh_from_db()
    assert (job.status, job.attempts, job.created, job.unchanged) == ("done", 2, 1, 1)
    assert sorted(Customer.objects.values_list("erp_id", flat=True)) == ["K1", "K2"]


def test_a_job_that_keeps_dying_is_failed_after_the_last_attempt(tenants):
    connection.set_tenant(tenants.a)
    long_ago = timezone.now() - services.IMPORT_STALE_AFTER * 2
    job = ImportJob.objects.create(entity="customers", payload=FILES["customers"])
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=services.IMPORT_MAX_ATTEMPTS, heartbeat_at=long_ago
    )
    fresh = ImportJob.objects.create(entity="customers", payload=FILES["customers"])
    ImportJob.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=timezone.now())
    assert services.import_jobs_sweep() == {"resumed": 0, "failed": 1}
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.status, job.payload) == ("failed", "")
    assert fresh.status == "running"  # alive: left alone
