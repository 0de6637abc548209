"""What the organisation publishes, as customers and everyone see it: announcements and outages
(the customer's own, and the public page of current outages), the organisation's documents (the
customer's, and the public page a cooperative must keep), and letters to the customer."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from billing.views import portal_page, request_focus
from core import uploads
from core.errors import ApplicationError
from core.paging import keyset_page
from correspondence import selectors, services
from correspondence.models import Document
from tenants.policies import Module

OUTAGE_MODULES = (Module.ANNOUNCEMENTS, Module.FAILURE_REPORTS)


@portal_page(Module.ANNOUNCEMENTS)
def announcements(request):
    rows = selectors.announcements_for(actor=request.user, focus=request_focus(request))
    return render(
        request,
        "correspondence/announcements.html",
        {"page": keyset_page(request, rows, 20), "now": timezone.now()},
    )


def outages(request):
    """Current failures and planned works, for everyone: no login (utilities publish failures
    for all who live in the area)."""
    if not request.tenant.configuration.offers_any(*OUTAGE_MODULES):
        raise Http404
    return render(
        request,
        "correspondence/outages.html",
        {"outages": selectors.outages_public(), "now": timezone.now()},
    )


def _grouped(documents) -> list[tuple[str, list[Document]]]:
    groups: dict[str, list[Document]] = {}
    for document in documents:
        groups.setdefault(document.get_category_display(), []).append(document)
    return list(groups.items())


@portal_page(Module.DOCUMENTS)
def documents(request):
    rows = selectors.documents_for(actor=request.user, focus=request_focus(request))
    return render(
        request,
        "correspondence/documents.html",
        {"groups": _grouped(rows.order_by("category", "-published_on", "-id")), "public": False},
    )


def documents_public(request):
    """The documents a housing cooperative must publish (statute, resolutions, minutes,
    financial statements), for everyone."""
    if not request.tenant.configuration.has_module(Module.DOCUMENTS):
        raise Http404
    rows = selectors.documents_public().order_by("category", "-published_on", "-id")
    return render(
        request, "correspondence/documents.html", {"groups": _grouped(rows), "public": True}
    )


def document_file(request, pk: int):
    """A version of a document, for whoever may read it (a public one: anybody)."""
    if not request.tenant.configuration.has_module(Module.DOCUMENTS):
        raise Http404
    focus = request_focus(request) if request.user.is_authenticated else None
    version = selectors.version_for(actor=request.user, version_id=pk, focus=focus)
    if version is None:
        raise Http404
    return uploads.file_response(
        version.path,
        content_type=version.content_type,
        filename=uploads.safe_name(
            version.document.title.replace("/", "-"), kind=uploads.FileKind.PDF
        ),
    )


@portal_page(Module.CORRESPONDENCE)
def letters(request):
    focus = request_focus(request)
    rows = selectors.letters_for(actor=request.user, focus=focus)
    return render(
        request,
        "correspondence/letters.html",
        {
            "page": keyset_page(request, rows, 20),
            "offers_cases": bool(services.offered_kinds(request.tenant.configuration)),
        },
    )


@portal_page(Module.CORRESPONDENCE)
def letter(request, pk: int):
    """Opening a letter marks it read for this account."""
    try:
        found = services.letter_read(actor=request.user, letter_id=pk, focus=request_focus(request))
    except ApplicationError as exc:
        raise Http404 from exc
    return render(request, "correspondence/letter.html", {"letter": found})


@portal_page(Module.CORRESPONDENCE)
def letter_pdf(request, pk: int):
    found = selectors.letter_get(actor=request.user, letter_id=pk, focus=request_focus(request))
    if found is None or not found.pdf_path:
        raise Http404
    return uploads.file_response(
        found.pdf_path, content_type="application/pdf", filename=found.pdf_name or "pismo.pdf"
    )
