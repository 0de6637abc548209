"""A case's attachments: photos (JPEG, PNG, HEIC) and PDF documents, judged by their bytes
(core.uploads), within the tenant's size and count limits, stored in the tenant's folder."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core import uploads
from core.errors import ApplicationError
from correspondence.errors import CorrespondenceErrorCode
from tenants.policies import CorrespondenceSettings

ALLOWED = uploads.IMAGES | {uploads.FileKind.PDF}
ACCEPT = "image/jpeg,image/png,image/heic,application/pdf"
# All the files of one message together (the web server takes requests up to 60 MB).
TOTAL_MEGABYTES = 50


def attachments_check(
    files: Sequence[UploadedFile], *, rules: CorrespondenceSettings
) -> list[tuple[uploads.CheckedFile, str]]:
    """Each file with the name to show for it, when all of them may be kept; else a 400 naming
    the first file that may not (and nothing is kept)."""
    if len(files) > rules.attachments_per_message:
        message = _("Attach at most %(n)d files.") % {"n": rules.attachments_per_message}
        raise _refused(message, CorrespondenceErrorCode.TOO_MANY_ATTACHMENTS)
    limit = rules.attachment_max_megabytes * 1024 * 1024
    if sum(upload.size or 0 for upload in files) > TOTAL_MEGABYTES * 1024 * 1024:
        message = _("The files together are too large: at most %(mb)d MB.") % {
            "mb": TOTAL_MEGABYTES
        }
        raise _refused(message, CorrespondenceErrorCode.ATTACHMENT_TOO_LARGE)
    checked = []
    for upload in files:
        name = uploads.safe_name(upload.name or "")
        if upload.size is None or upload.size > limit:
            message = _("%(name)s is too large: at most %(mb)d MB.") % {
                "name": name,
                "mb": rules.attachment_max_megabytes,
            }
            raise _refused(message, CorrespondenceErrorCode.ATTACHMENT_TOO_LARGE)
        file = uploads.sniff(upload, allowed=ALLOWED)
        if file is None:
            message = _("%(name)s is not a photo (JPEG, PNG, HEIC) or a PDF document.") % {
                "name": name
            }
            raise _refused(message, CorrespondenceErrorCode.ATTACHMENT_NOT_ALLOWED)
        checked.append((file, uploads.safe_name(upload.name or "", kind=file.kind)))
    return checked


def _refused(message: str, code: CorrespondenceErrorCode) -> ApplicationError:
    return ApplicationError(message, code=code, extra={"fields": {"attachments": [message]}})
