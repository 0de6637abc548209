"""The organisation's documents: published with a category and an audience, each new file a
new version (the old ones kept), withdrawn when they no longer apply. Files are PDF, judged by
their bytes."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Building
from core import uploads
from core.errors import ApplicationError
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.models import Document, DocumentVersion
from identity.models import User

DOCUMENT_MAX_MEGABYTES = 25


def pdf_check(upload: UploadedFile | None, *, field: str = "file") -> uploads.CheckedFile:
    """The upload when it is a readable PDF within the size limit; else a 400 on ``field``."""
    if upload is None:
        message = _("Choose the PDF file.")
        raise ApplicationError(message, code=Code.INVALID, extra={"fields": {field: [message]}})
    if upload.size is None or upload.size > DOCUMENT_MAX_MEGABYTES * 1024 * 1024:
        message = _("The file is too large: at most %(mb)d MB.") % {"mb": DOCUMENT_MAX_MEGABYTES}
        raise ApplicationError(
            message, code=Code.ATTACHMENT_TOO_LARGE, extra={"fields": {field: [message]}}
        )
    checked = uploads.sniff(upload, allowed=frozenset({uploads.FileKind.PDF}))
    if checked is None:
        message = _("The file is not a PDF document.")
        raise ApplicationError(
            message, code=Code.ATTACHMENT_NOT_ALLOWED, extra={"fields": {field: [message]}}
        )
    return checked


def _version(document: Document, upload: UploadedFile, actor: User) -> DocumentVersion:
    checked = pdf_check(upload)
    path = uploads.store(checked, folder="documents")
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        return DocumentVersion.objects.create(
            document=document,
            number=number,
            path=path,
            name=uploads.safe_name(upload.name or "dokument", kind=checked.kind),
            content_type=checked.content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
    except BaseException:
        uploads.delete(path)
        raise


@transaction.atomic
def document_publish(
    *,
    actor: User,
    title: str,
    category: str,
    audience: str,
    file: UploadedFile | None,
    building_id: int | None = None,
) -> Document:
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = _("The title is required.")
    if category not in Document.Category.values:
        problems["category"] = _("Choose one of the values listed.")
    if audience not in Document.Audience.values:
        problems["audience"] = _("Choose one of the values listed.")
    building = None
    if audience == Document.Audience.BUILDING:
        building = Building.objects.filter(pk=building_id).first() if building_id else None
        if building is None:
            problems["building"] = _("Choose the building.")
    if problems:
        raise ApplicationError(
            next(iter(problems.values())),
            code=Code.INVALID,
            extra={"fields": {k: [v] for k, v in problems.items()}},
        )
    document = Document.objects.create(
        title=title.strip()[:200],
        category=category,
        audience=audience,
        building=building,
        published_on=timezone.localdate(),
    )
    _version(document, file, actor)  # type: ignore[arg-type]  # pdf_check refuses None
    return document


@transaction.atomic
def document_version_add(
    *, actor: User, document_id: int, file: UploadedFile | None
) -> DocumentVersion:
    document = (
        Document.objects.select_for_update()
        .filter(pk=document_id, withdrawn_at__isnull=True)
        .first()
    )
    if document is None:
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
    version = _version(document, file, actor)  # type: ignore[arg-type]
    document.published_on = timezone.localdate()
    document.save(update_fields=["published_on"])
    return version


@transaction.atomic
def document_withdraw(*, actor: User, document_id: int) -> Document:
    document = (
        Document.objects.select_for_update()
        .filter(pk=document_id, withdrawn_at__isnull=True)
        .first()
    )
    if document is None:
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
    document.withdrawn_at = timezone.now()
    document.save(update_fields=["withdrawn_at"])
    return document
