"""Cases under the retention job: kept six years after the year they were closed in (evidence
for claims), with their messages and the files of their attachments; an open case never."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core import personal_data
from correspondence.models import Case, CaseAttachment, CaseMessage
from correspondence.tests.conftest import file_case

pytestmark = pytest.mark.django_db


def test_a_case_closed_six_years_ago_goes_with_its_files_and_an_open_one_stays(
    people, django_capture_on_commit_callbacks
):
    owner = people["owner"]
    closed = file_case(owner, subject="Stara awaria")
    still_open = file_case(
        owner, subject="Otwarta sprawa", text="Drzwi do piwnicy się nie zamykają."
    )
    path = default_storage.save("alpha/cases/retention-test.png", ContentFile(b"\x89PNG test"))
    CaseAttachment.objects.create(
        message=closed.messages.first(),
        path=path,
        name="zdjecie.png",
        content_type="image/png",
        size=9,
    )
    end_of_2019 = datetime(2019, 12, 31, 12, tzinfo=ZoneInfo("Europe/Warsaw"))
    Case.objects.filter(pk=closed.pk).update(closed_at=end_of_2019)
    Case.objects.filter(pk=still_open.pk).update(
        created_at=datetime(2015, 1, 1, tzinfo=ZoneInfo("UTC"))
    )

    report = personal_data.apply_retention(date(2025, 12, 31))  # the sixth year not over yet
    assert Case.objects.filter(pk=closed.pk).exists()
    assert report["correspondence.Case"]["deleted"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        report = personal_data.apply_retention(date(2026, 1, 1))
    assert not Case.objects.filter(pk=closed.pk).exists()
    assert not CaseMessage.objects.filter(case_id=closed.pk).exists()
    assert Case.objects.filter(pk=still_open.pk).exists()  # open: never due, however old
    assert report["correspondence.CaseAttachment"]["deleted"] == 1
    assert not default_storage.exists(path)  # nothing of it stays in the media folder
