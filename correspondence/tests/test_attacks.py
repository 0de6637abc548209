"""How cases are abused, and what stops it: script in a PDF wherever it hangs, a program behind
a photo's header, a download named to run, files left behind by a failed write, the office
posting as the customer, a manager reaching premises and invoices it does not manage, a
withdrawn request applied."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
    TextStringObject,
)
from rest_framework.test import APIClient

from billing.importing import import_text
from billing.models import Customer, Invoice
from core import uploads
from core.errors import ApplicationError
from correspondence import services
from correspondence.models import Case, CaseAttachment, CaseMessage, CaseStatus
from correspondence.tests.conftest import A, file_case, pdf, png

pytestmark = pytest.mark.django_db
PDF = frozenset({uploads.FileKind.PDF})


def _script() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )


def _written(writer: PdfWriter) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("umowa.pdf", buffer.getvalue())


def _on_opening() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_open_action(JavaScript("app.alert(1)"))
    return _written(writer)


def _on_a_page() -> SimpleUploadedFile:
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(_script())})
    return _written(writer)


def _in_a_link() -> SimpleUploadedFile:
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): RectangleObject([0, 0, 10, 10]),
            NameObject("/A"): _script(),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def _after_a_jump() -> SimpleUploadedFile:
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    jump = DictionaryObject(
        {
            NameObject("/S"): NameObject("/GoTo"),
            NameObject("/D"): ArrayObject([page.indirect_reference, NameObject("/Fit")]),
            NameObject("/Next"): _script(),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(jump)
    return _written(writer)


@pytest.mark.parametrize("made", [_on_opening, _on_a_page, _in_a_link, _after_a_jump])
def test_a_pdf_with_script_anywhere_is_refused(made):
    assert uploads.sniff(made(), allowed=PDF) is None


def test_a_plain_pdf_and_one_opening_at_a_page_are_taken():
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [page.indirect_reference, NameObject("/Fit")]
    )
    assert uploads.sniff(_written(writer), allowed=PDF) is not None
    assert uploads.sniff(pdf(), allowed=PDF) is not None


def test_a_page_behind_a_photos_header_is_refused_and_a_real_heif_taken():
    forged = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic<html><script>alert(1)</script></html>"
    assert uploads.sniff(SimpleUploadedFile("z.heic", forged), allowed=uploads.IMAGES) is None
    boxes = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0\0\0\x10meta" + b"\0" * 8
    boxes += b"\0\0\0\x10mdat" + b"\1" * 8
    checked = uploads.sniff(SimpleUploadedFile("z.heic", boxes), allowed=uploads.IMAGES)
    assert checked is not None
    assert checked.kind == uploads.FileKind.HEIC


def test_a_download_is_named_by_what_the_file_is(people):
    photo = png()
    photo.name = "zdjęcie.html"
    case = file_case(people["owner"], attachments=[photo])
    assert case.messages.get().attachments.get().name == "zdjęcie.png"


def test_files_of_a_failed_write_are_deleted(people, monkeypatch):
    stored: list[str] = []
    real_store = uploads.store

    def store_then_fail(file, *, folder):
        if stored:
            raise OSError("the disk is full")
        stored.append(real_store(file, folder=folder))
        return stored[-1]

    monkeypatch.setattr(uploads, "store", store_then_fail)
    with pytest.raises(OSError, match="disk is full"):
        file_case(people["owner"], attachments=[png(), png()])
    assert len(stored) == 1
    assert not default_storage.exists(stored[0])
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()


def test_the_office_cannot_write_close_or_rate_as_the_customer(people):
    case = file_case(people["owner"])
    services.case_answer(actor=people["staff"], case_id=case.pk, text="Odpowiedź")
    for action, values in (
        (services.case_reply, {"text": "Niby klient"}),
        (services.case_close, {}),
        (services.case_reopen, {}),
        (services.case_rate, {"rating": 1}),
    ):
        with pytest.raises(ApplicationError) as refused:
            action(actor=people["staff"], case_id=case.pk, **values)
        assert (refused.value.code, refused.value.status) == ("not_staff", 403)
    api = APIClient()
    api.force_authenticate(people["staff"])
    response = api.post(
        f"/api/v1/tickets/{case.pk}/messages", {"text": "x"}, format="json", HTTP_HOST=A
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    assert (
        not case.messages.filter(kind=CaseMessage.Kind.MESSAGE, from_staff=False)
        .exclude(body="W łazience cieknie zawór grzejnika.")
        .exists()
    )


def test_a_manager_covering_part_of_a_customer_must_name_premises(people, manager):
    with pytest.raises(ApplicationError) as refused:
        file_case(manager, kind="failure", text="Bez lokalu")
    assert "premises" in refused.value.extra["fields"]
    assert (
        file_case(manager, premises_id=people["m1"].pk, text="Z lokalem").premises == people["m1"]
    )


def test_a_complaint_cannot_name_an_invoice_of_other_premises(people, manager):
    assert not import_text(
        "invoices",
        "erp_id;number;customer_erp_id;premises_erp_id;issue_date;due_date;gross\n"
        "F3;FV/3/2026;K1;M3;2026-02-02;2026-02-10;120.00\n",
    ).errors
    on_m3 = Invoice.objects.get(erp_id="F3")
    with pytest.raises(ApplicationError) as refused:
        file_case(
            people["owner"], kind="complaint", premises_id=people["m1"].pk, invoice_id=on_m3.pk
        )
    assert "invoice" in refused.value.extra["fields"]
    with pytest.raises(ApplicationError) as refused:  # the manager of M1 never sees M3's
        file_case(manager, kind="complaint", premises_id=people["m1"].pk, invoice_id=on_m3.pk)
    assert "invoice" in refused.value.extra["fields"]
    assert not Case.objects.exists()


def test_a_withdrawn_change_request_changes_nothing(people):
    case = file_case(
        people["owner"], kind="data_change", change={"city": "Gdzie indziej"}, text="Zmiana"
    )
    services.case_close(actor=people["owner"], case_id=case.pk)
    with pytest.raises(ApplicationError) as refused:
        services.case_change_accept(actor=people["staff"], case_id=case.pk)
    assert (refused.value.code, refused.value.status) == ("case_closed", 409)
    assert Customer.objects.get(pk=people["k1"].pk).city == ""
    case.refresh_from_db()
    assert case.change_applied_at is None
    assert not case.messages.filter(kind=CaseMessage.Kind.NOTE).exists()


def test_the_office_reopening_a_case_gives_a_new_deadline(people):
    from datetime import timedelta

    from django.utils import timezone

    from correspondence.deadlines import add_business_days

    case = file_case(people["owner"])
    services.case_close(actor=people["owner"], case_id=case.pk)
    services.case_rate(actor=people["owner"], case_id=case.pk, rating=2)
    Case.objects.filter(pk=case.pk).update(
        due_on=timezone.localdate() - timedelta(days=30), reminder_sent_on=timezone.localdate()
    )
    services.case_status_set(actor=people["staff"], case_id=case.pk, status="in_progress")
    case.refresh_from_db()
    assert case.due_on == add_business_days(timezone.localdate(), 3)
    assert (case.reminder_sent_on, case.rating, case.closed_at) == (None, None, None)
