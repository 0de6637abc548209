"""Moje dane: the customer's copy of their own data (art. 15 and 20 GDPR) and the request to
erase them (art. 17)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.access import PORTAL_ROLES, Role
from core.errors import ApplicationError
from core.http import base_url
from core.uploads import file_response
from identity import services
from identity.forms import PasswordConfirmForm
from identity.models import DataExport, ErasureRequest
from identity.views.common import _posted, add_form_errors, request_info


@login_required
def data_export_view(request: HttpRequest) -> HttpResponse:
    """The copies asked for (being prepared, ready until a date, expired) and the form that asks
    for a new one with the account's password."""
    if request.user.role != Role.CUSTOMER:
        raise PermissionDenied
    form = PasswordConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            export = services.data_export_request(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                base_url=base_url(request),
                info=request_info(request),
            )
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            if export.status == DataExport.Status.READY:
                messages.info(request, _("Your copy from less than an hour ago is below."))
            else:
                messages.success(
                    request,
                    _(
                        "We are preparing your copy. We will e-mail you when it is ready; it "
                        "usually takes a few minutes."
                    ),
                )
            return redirect("data_export")
    exports = list(DataExport.objects.filter(user=request.user)[:5])
    return render(
        request,
        "identity/data_export.html",
        {"form": form, "exports": exports, "now": timezone.now()},
    )


@login_required
@require_GET
def data_export_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.user.role != Role.CUSTOMER:
        raise PermissionDenied
    try:
        export = services.data_export_for_download(user=request.user, export_id=pk)
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("data_export")
    made = timezone.localtime(export.finished_at).strftime("%Y-%m-%d")
    return file_response(
        export.path,
        content_type="application/zip",
        filename=f"moje-dane-{made}.zip",
        inline=False,
    )


@login_required
def erasure_request_view(request: HttpRequest) -> HttpResponse:
    """ "Delete my account and data": what goes and what the law keeps, then the request with
    the password; the office carries it out within a month."""
    if request.user.role not in PORTAL_ROLES:
        raise PermissionDenied
    waiting = ErasureRequest.objects.filter(
        user=request.user, status=ErasureRequest.Status.PENDING
    ).first()
    form = PasswordConfirmForm(_posted(request))
    if request.method == "POST" and waiting is None and form.is_valid():
        try:
            services.erasure_request(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                info=request_info(request),
            )
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request is with the office. It will be carried out within a month."),
            )
            return redirect("erasure_request")
    return render(request, "identity/erasure_request.html", {"form": form, "waiting": waiting})
