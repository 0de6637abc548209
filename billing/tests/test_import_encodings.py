"""ERP files in Windows-1250 and CP852 (what Polish ERP and DOS-era systems export) import with
their Polish letters intact, recognised or named; a UTF-8 file as before; bytes that are text in
none of them are refused with a clear message and nothing is stored."""

from __future__ import annotations

import pytest

from billing.importing import decode_text
from billing.models import Customer, ImportJob
from billing.tests.test_import_api import HOST, key  # noqa: F401 - the API key fixture

pytestmark = pytest.mark.django_db
NAMES = ("Żółwińska Łucja", "Gęśla Ąnna", "Źdźbło Ćma", "Ńowak Śliwa")
CSV = "erp_id;symbol;kind;name\n" + "".join(
    f"E{n};S{n:05d};individual;{name}\n" for n, name in enumerate(NAMES)
)


@pytest.mark.parametrize("codec", ["utf-8", "cp1250", "cp852", "iso-8859-2"])
def test_each_encoding_is_recognised(codec):
    assert decode_text(CSV.encode(codec)) == CSV


@pytest.mark.parametrize(("codec", "name"), [("cp1250", "windows-1250"), ("cp852", "cp852")])
def test_a_named_encoding_is_used(codec, name):
    assert decode_text(CSV.encode(codec), name) == CSV


@pytest.mark.parametrize(
    ("codec", "query"), [("cp1250", ""), ("cp852", ""), ("cp852", "?encoding=cp852")]
)
def test_an_erp_file_in_a_polish_code_page_imports_with_its_letters(
    client,
    key,  # noqa: F811 - the fixture
    django_capture_on_commit_callbacks,
    codec,
    query,  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            f"/api/v1/import/customers{query}",
            CSV.encode(codec),
            content_type="text/csv",
            HTTP_HOST=HOST,
            HTTP_AUTHORIZATION=f"Api-Key {key}",
        )
    assert accepted.status_code == 202
    assert sorted(Customer.objects.values_list("name", flat=True)) == sorted(NAMES)


def test_bytes_that_are_no_such_text_are_refused_and_nothing_is_stored(client, key):  # noqa: F811
    # 0x81 and 0x98 are undefined in Windows-1250 and the file is no UTF-8; named as
    # Windows-1250, it cannot be read.
    response = client.post(
        "/api/v1/import/customers?encoding=windows-1250",
        b"erp_id;symbol\n\x81\x98;S1\n",
        content_type="text/csv",
        HTTP_HOST=HOST,
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )
    assert (response.status_code, response.json()["code"]) == (400, "encoding")
    assert "Windows-1250" in response.json()["detail"]
    assert not ImportJob.objects.exists()
