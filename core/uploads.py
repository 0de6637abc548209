"""Files people send (photos of a meter, a case's attachments, the office's documents): what a
file is, judged by its bytes, never by its name or the browser's word; kept in the tenant's own
folder of the media storage under a name nobody can guess; read back only through views that
check who asks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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
            kind: FileKind | None = FileKind.HEIC if _heif_boxes_sound(upload) else None
        elif head.startswith(b"%PDF-"):
            kind = FileKind.PDF if _readable_pdf(upload) else None
        else:
            kind = _image_kind(upload)
    finally:
        upload.seek(0)
    return CheckedFile(upload, kind) if kind is not None and kind in allowed else None


# The top-level boxes an HEIF image may have (ISO/IEC 23008-12 and 14496-12).
_HEIF_TOP_BOXES = {b"ftyp", b"meta", b"mdat", b"moov", b"free", b"skip", b"uuid", b"idat", b"wide"}


def _heif_boxes_sound(upload: UploadedFile) -> bool:
    """HEIF is a sequence of boxes (4-byte size, 4-byte type) that ends exactly at the file's
    end, with a ``meta`` box: an HTML page or a program behind a forged header is not."""
    size = upload.size or 0
    position, types, boxes = 0, set(), 0
    while position < size:
        upload.seek(position)
        header = upload.read(16)
        if len(header) < 8:
            return False
        length, kind = int.from_bytes(header[:4], "big"), header[4:8]
        if length == 1 and len(header) == 16:  # a 64-bit size follows
            length = int.from_bytes(header[8:16], "big")
        elif length == 0:  # the last box runs to the end of the file
            length = size - position
        if kind not in _HEIF_TOP_BOXES or length < 8 or position + length > size:
            return False
        types.add(kind)
        position += length
        boxes += 1
        if boxes > 64:
            return False
    return position == size and {b"ftyp", b"meta"} <= types


def _image_kind(upload: UploadedFile) -> FileKind | None:
    try:
        with Image.open(upload) as image:
            found = image.format
            image.verify()  # a truncated or forged body fails here
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error for what is no image
        return None
    return _PILLOW_FORMATS.get(found or "")


def _readable_pdf(upload: UploadedFile) -> bool:
    """A PDF whose structure pypdf reads, with pages, and nothing in it that a reader would
    run: no JavaScript (``/JS``) and no action that runs, launches, submits or imports, wherever
    it hangs (the catalogue, a page's ``/AA``, an annotation, a form field, a ``/Next``
    chain)."""
    try:
        reader = PdfReader(upload, strict=False)
        if len(reader.pages) == 0:
            return False
        return not _runs_something(reader.trailer["/Root"])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return False


_PDF_OBJECTS_LIMIT = 200_000


def _runs_something(root) -> bool:
    """Walks every object reachable from the catalogue (each once) looking for script."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    walked = 0
    while stack:
        value = stack.pop()
        reference = getattr(value, "indirect_reference", None) or (
            value if hasattr(value, "idnum") else None
        )
        if reference is not None:
            key = (reference.idnum, reference.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        walked += 1
        if walked > _PDF_OBJECTS_LIMIT:
            return True  # too large to judge: refused
        if isinstance(value, dict):
            if "/JS" in value or "/JavaScript" in value or value.get("/S") in _ACTIONS_REFUSED:
                return True
            stack.extend(v for k, v in value.items() if k not in ("/Parent", "/P"))
        elif isinstance(value, list):
            stack.extend(value)
    return False


def store(file: CheckedFile, *, folder: str) -> str:
    """Saves the file under the tenant's ``folder``; returns its path in the media storage."""
    path = f"{current_schema()}/{folder}/{uuid.uuid4().hex}.{file.kind.value}"
    return default_storage.save(path, file.upload)


def delete(path: str) -> None:
    if path:
        default_storage.delete(path)


@contextmanager
def kept_files() -> Iterator[list[str]]:
    """Paths stored inside the block, deleted again when the block fails (the rows that named
    them went with the rollback). Append each path as soon as it is stored."""
    paths: list[str] = []
    try:
        yield paths
    except BaseException:
        for path in paths:
            delete(path)
        raise


def safe_name(name: str, *, kind: FileKind | None = None, limit: int = 120) -> str:
    """A sender's file name fit to show and to offer as a download's name: no folders, no
    control characters, no quotes; with ``kind``, its extension is the kind's own (a photo
    named ``.html`` is saved by whoever downloads it as ``.jpg``)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>/') or "plik"
    if kind is not None:
        stem, dot, suffix = cleaned.rpartition(".")
        if not (dot and stem and suffix.isalpha() and len(suffix) <= 5):
            stem = cleaned  # no extension to replace ("Uchwała z 1.01.2026")
        return f"{stem[: limit - 6]}.{kind.value}"
    return cleaned[-limit:]


def file_response(path: str, *, content_type: str, filename: str, inline: bool = True):
    """A stored file to the one who may read it: never cached, never run as a page (a sandbox
    with nothing allowed, even if a file were to slip past ``sniff``). Photos are shown; a PDF
    is a download (browsers' PDF viewers do not run in such a sandbox), and so is HEIC, which
    browsers cannot show."""
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


_INLINE = frozenset({"image/jpeg", "image/png"})
