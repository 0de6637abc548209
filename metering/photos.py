"""Photos of a meter's dial sent with a reading: checked by what the bytes are (core.uploads),
kept per tenant outside any public URL, served only through a view that checks who asks."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core import uploads
from core.errors import ApplicationError
from metering.errors import MeteringErrorCode

CONTENT_TYPES = {kind.value: uploads.CONTENT_TYPES[kind] for kind in uploads.IMAGES}


def photo_check(upload: UploadedFile, *, max_bytes: int) -> uploads.CheckedFile:
    """The upload when it is a JPEG, PNG or HEIC photo no larger than ``max_bytes``; else a 400
    saying which rule it breaks."""
    if upload.size is None or upload.size > max_bytes:
        raise ApplicationError(
            _("The photo is too large: at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
            code=MeteringErrorCode.PHOTO_TOO_LARGE,
            extra={"fields": {"photo": [_("The photo is too large.")]}},
        )
    checked = uploads.sniff(upload, allowed=uploads.IMAGES)
    if checked is None:
        raise ApplicationError(
            _("Send a photo as JPEG, PNG or HEIC."),
            code=MeteringErrorCode.PHOTO_NOT_AN_IMAGE,
            extra={"fields": {"photo": [_("This file is not a JPEG, PNG or HEIC photo.")]}},
        )
    return checked


def photo_store(photo: uploads.CheckedFile) -> str:
    """Saves the photo under the tenant's folder with a name nobody can guess; returns its
    path."""
    return uploads.store(photo, folder="readings")


def photo_delete(path: str) -> None:
    uploads.delete(path)
