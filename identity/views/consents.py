"""Zgody: the consents the organisation asks for, each given or withdrawn with one button, and
the history of every consent and acceptance with its version, time and channel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access import PORTAL_ROLES
from core.errors import ApplicationError, CoreErrorCode
from identity import selectors, services
from identity.models import ConsentPurpose
from identity.views.common import request_info


def _panels(user) -> list[dict]:
    """Per purpose offered: its wording (the published text) and where the person stands."""
    return [
        {
            "purpose": purpose,
            "title": ConsentPurpose(purpose).label,
            "text": selectors.consent_text(purpose),
            "current": selectors.consent_current(user, purpose),
        }
        for purpose in selectors.consents_offered()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def consents_view(request: HttpRequest) -> HttpResponse:
    if request.user.role not in PORTAL_ROLES:
        raise PermissionDenied
    problem = ""
    if request.method == "POST":
        granted = request.POST.get("granted")
        try:
            if granted not in ("1", "0"):
                raise ApplicationError(
                    _("Choose whether you give or withdraw the consent."),
                    code=CoreErrorCode.INVALID,
                )
            done = services.consent_set(
                user=request.user,
                purpose=request.POST.get("purpose", ""),
                granted=granted == "1",
                info=request_info(request),
            )
        except ApplicationError as exc:
            problem = exc.message
        else:
            if done is None:
                messages.info(request, _("Nothing changed."))
            elif done.granted:
                messages.success(request, _("Thank you: your consent is recorded."))
            else:
                messages.success(
                    request, _("Your consent is withdrawn: we no longer use your data for this.")
                )
            return redirect("consents")
    return render(
        request,
        "identity/consents.html",
        {
            "panels": _panels(request.user),
            "history": selectors.consent_history(request.user),
            "problem": problem,
        },
        status=400 if problem else 200,
    )
