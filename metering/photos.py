"""Photos of a meter's dial sent with a reading: checked by what the bytes are (never by the
name or the browser's word), kept per tenant outside any public URL, served only through a view
that checks who asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from core.errors import ApplicationError
from core.schemas import current_schema
from metering.errors import MeteringErrorCode

# Pillow's names of the formats taken, with how they are stored and served.
_PILLOW_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
# HEIC/HEIF (iPhones' photos) begin with an ISO base media "ftyp" box of one of these brands.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "heic": "image/heic"}


@dataclass(frozen=True)
class CheckedPhoto:
    upload: UploadedFile
    extension: str


def photo_check(upload: UploadedFile, *, max_bytes: int) -> CheckedPhoto:
    """The upload when it is a JPEG, PNG or HEIC photo no larger than ``max_bytes``; else a 400
    saying which rule it breaks."""
    if upload.size is None or upload.size > max_bytes:
        raise ApplicationError(
            _("The photo is too large: at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
            code=MeteringErrorCode.PHOTO_TOO_LARGE,
            extra={"fields": {"photo": [_("The photo is too large.")]}},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return CheckedPhoto(upload, "heic")
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()  # a truncated or forged body fails here
    except Exception as exc:  # Pillow raises many kinds of error for what is not an image
        raise _not_an_image() from exc
    finally:
        upload.seek(0)
    if kind not in _PILLOW_FORMATS:
        raise _not_an_image()
    return CheckedPhoto(upload, _PILLOW_FORMATS[kind][0])


def _not_an_image() -> ApplicationError:
    return ApplicationError(
        _("Send a photo as JPEG, PNG or HEIC."),
        code=MeteringErrorCode.PHOTO_NOT_AN_IMAGE,
        extra={"fields": {"photo": [_("This file is not a JPEG, PNG or HEIC photo.")]}},
    )


def photo_store(photo: CheckedPhoto) -> str:
    """Saves the photo under the tenant's folder with a name nobody can guess; returns its
    path."""
    path = f"{current_schema()}/readings/{uuid.uuid4().hex}.{photo.extension}"
    return default_storage.save(path, photo.upload)


def photo_delete(path: str) -> None:
    if path:
        default_storage.delete(path)
