"""Files people send (photos of a meter, a case's attachments, the office's documents): what a
file is, judged by its bytes, never by its name or the browser's word; kept in the tenant's own
folder of the media storage under a name nobody can guess; read back only through views that
check who asks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core.schemas import current_schema


class FileKind(StrEnum):
    JPEG = "jpg"
    PNG = "png"
    HEIC = "heic"
    PDF = "pdf"


CONTENT_TYPES = {
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.HEIC: "image/heic",
    FileKind.PDF: "application/pdf",
}
IMAGES = frozenset({FileKind.JPEG, FileKind.PNG, FileKind.HEIC})

_ACTIONS_REFUSED = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"})
_PILLOW_FORMATS = {"JPEG": FileKind.JPEG, "PNG": FileKind.PNG}
# HEIC/HEIF (iPhones' photos) begin with an ISO base media "ftyp" box of one of these brands.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    kind: FileKind

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def sniff(upload: UploadedFile, *, allowed: frozenset[FileKind]) -> CheckedFile | None:
    """The upload as one of the ``allowed`` kinds when its bytes are that kind through and
    through (an image Pillow can verify, a PDF pypdf can read with no script in it); else None.
    An SVG, an HTML page or a program named ``.jpg`` or ``.pdf`` is None."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    try:
        if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
            kind: FileKind | None = FileKind.HEIC
        elif head.startswith(b"%PDF-"):
            kind = FileKind.PDF if _readable_pdf(upload) else None
        else:
            kind = _image_kind(upload)
    finally:
        upload.seek(0)
    return CheckedFile(upload, kind) if kind is not None and kind in allowed else None


def _image_kind(upload: UploadedFile) -> FileKind | None:
    try:
        with Image.open(upload) as image:
            found = image.format
            image.verify()  # a truncated or forged body fails here
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error for what is no image
        return None
    return _PILLOW_FORMATS.get(found or "")


def _readable_pdf(upload: UploadedFile) -> bool:
    """A PDF whose structure pypdf reads, with pages, and no JavaScript or launch action that a
    reader would run on opening it."""
    try:
        reader = PdfReader(upload, strict=False)
        if len(reader.pages) == 0:
            return False
        root = _resolved(reader.trailer["/Root"])
        names = _resolved(root.get("/Names"))
        opening = _resolved(root.get("/OpenAction"))
        # Opening at a page is fine (an array); an action that runs or launches something is not.
        runs = opening.get("/S") in _ACTIONS_REFUSED
        if runs or "/JavaScript" in names or "/AA" in root:
            return False
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return False
    return True


def _resolved(value) -> dict:
    """A PDF object as a dictionary (an indirect reference followed; anything else: empty)."""
    value = value.get_object() if value is not None else None
    return value if isinstance(value, dict) else {}


def store(file: CheckedFile, *, folder: str) -> str:
    """Saves the file under the tenant's ``folder``; returns its path in the media storage."""
    path = f"{current_schema()}/{folder}/{uuid.uuid4().hex}.{file.kind.value}"
    return default_storage.save(path, file.upload)


def delete(path: str) -> None:
    if path:
        default_storage.delete(path)


def safe_name(name: str, *, limit: int = 120) -> str:
    """A sender's file name fit to show and to offer as a download's name: no folders, no
    control characters, no quotes."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>') or "plik"
    return cleaned[-limit:]


def file_response(path: str, *, content_type: str, filename: str, inline: bool = True):
    """A stored file to the one who may read it: never cached, never run as a page (a sandbox
    with nothing allowed, even if a file were to slip past ``sniff``). HEIC, which browsers
    cannot show, and anything not an image or PDF is a download."""
    response = FileResponse(
        default_storage.open(path, "rb"),
        content_type=content_type,
        as_attachment=not inline or content_type not in _INLINE,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


_INLINE = frozenset({"image/jpeg", "image/png", "application/pdf"})
