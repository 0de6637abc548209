"""A tenant's published documents, readable by anyone."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from identity.accessibility import ASSESSMENT, COMPLIANCE
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


@require_GET
def accessibility_declaration(request: HttpRequest) -> HttpResponse:
    """The tenant's accessibility declaration, for everyone (no login), in the elements of the
    law's template; what the organisation left empty shows the portal's own facts."""
    tenant = request.tenant
    config = tenant.configuration
    declaration = config.accessibility
    branding = config.branding
    return render(
        request,
        "identity/accessibility.html",
        {
            "d": declaration,
            "entity": declaration.entity or config.payee.name or branding.portal_name,
            "site": request.build_absolute_uri("/"),
            "published_on": declaration.day("published_on")
            or timezone.localdate(tenant.created_at),
            "updated_on": declaration.day("updated_on"),
            "prepared_on": declaration.day("prepared_on"),
            "reviewed_on": declaration.day("reviewed_on"),
            "status": COMPLIANCE[declaration.status],
            "assessment": ASSESSMENT[declaration.assessment],
            "exceptions": [line for line in declaration.exceptions.splitlines() if line.strip()],
            "contact_email": declaration.contact_email or branding.contact_email,
            "contact_phone": declaration.contact_phone or branding.contact_phone,
        },
    )
