"""A tenant's published documents, readable by anyone."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from identity.models import Document


def document_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A published document of this tenant, readable by anyone (regulations are public)."""
    doc = get_object_or_404(Document, pk=pk, published_at__isnull=False)
    return render(request, "identity/document.html", {"document": doc})


def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's PDF, from this tenant's schema only (another tenant's id is a 404)."""
    doc = get_object_or_404(Document, pk=pk, published_at__isnull=False)
    if not doc.pdf:
        raise Http404
    response = FileResponse(doc.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{doc.kind}-v{doc.version}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
