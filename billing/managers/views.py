"""Pages of managers' applications: the public form and the office's review."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import selectors
from billing.managers import selectors as manager_selectors
from billing.managers import services
from billing.managers.forms import ApplicationForm
from billing.models import ManagerApplication, PremisesGrant
from billing.services import grant_revoke
from core.errors import ApplicationError, Throttled
from core.http import base_url
from core.throttling import client_ip, hit
from identity.permissions import staff_required
from identity.registration.services import registrations_open


def apply_view(request):
    """The public application form (tenants with the property-managers module)."""
    if not request.tenant.configuration.has_module("property_managers"):
        raise PermissionDenied
    try:
        registrations_open()
    except ApplicationError:
        return render(request, "identity/register_not_open.html", status=404)
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hit("registration_ip", client_ip(request))
        except Throttled as exc:
            form.add_error(None, exc.message)
            return render(request, "billing/managers/apply.html", {"form": form}, status=429)
        services.application_submit(data=form.cleaned_data, language=request.LANGUAGE_CODE)
        return render(request, "billing/managers/applied.html")
    return render(
        request, "billing/managers/apply.html", {"form": form}, status=400 if form.errors else 200
    )


@staff_required("managers.review")
def office_applications(request):
    return _office_page(request, query=request.GET.get("q", ""))


def _office_page(request, *, query: str = "", application_id: int | None = None, kept=()):
    """The applications with a premises search each. ``kept`` are the premises ticked in
    ``application_id``'s form before a new search: they stay ticked whatever the new search
    finds."""
    pending = manager_selectors.pending_applications()
    query = query.replace("\x00", "").strip()
    found, more = manager_selectors.premises_search(request.user, query) if query else ([], False)
    kept_rows = list(
        manager_selectors.premises_in_natural_order(
            selectors.premises_list(actor=request.user).filter(pk__in=kept)
        )
    )
    kept_ids = {p.pk for p in kept_rows}
    panels = [
        {
            "application": a,
            "q": query if application_id in (None, a.pk) else "",
            "kept": kept_rows if a.pk == application_id else [],
            "found": [p for p in found if p.pk not in kept_ids]
            if application_id in (None, a.pk)
            else [],
            "more": more if application_id in (None, a.pk) else False,
        }
        for a in pending
    ]
    grants = manager_selectors.current_grants()
    return render(
        request,
        "billing/managers/office.html",
        {
            "panels": panels,
            "q": query,
            "grants": grants,
            "limit": manager_selectors.SEARCH_LIMIT,
        },
    )


@require_POST
@staff_required("managers.review")
def office_grant_revoke(request, pk: int):
    grant = get_object_or_404(PremisesGrant, pk=pk)
    grant_revoke(grant=grant, actor=request.user)
    messages.success(request, _("Access to the premises has been revoked."))
    return redirect("office_manager_applications")


@require_POST
@staff_required("managers.review")
def office_application_decide(request, pk: int):
    application = get_object_or_404(ManagerApplication, pk=pk)
    ticked = [int(v) for v in request.POST.getlist("premises") if v.isdigit()][:500]
    if request.POST.get("decision") == "search":
        return _office_page(
            request, query=str(request.POST.get("q", ""))[:200], application_id=pk, kept=ticked
        )
    try:
        if request.POST.get("decision") == "reject":
            services.application_reject(
                application=application,
                reason=str(request.POST.get("reason", "")),
                actor=request.user,
            )
        else:
            ids = ticked
            valid_to = forms.DateField(required=False).clean(request.POST.get("valid_to") or None)
            services.application_approve(
                application=application,
                premises_ids=ids,
                valid_to=valid_to,
                actor=request.user,
                base_url=base_url(request),
            )
    except (ApplicationError, forms.ValidationError) as exc:
        text = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
        messages.error(request, text)
    else:
        messages.success(request, _("Done: the manager has been e-mailed."))
    return redirect("office_manager_applications")
