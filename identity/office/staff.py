"""The administrator's office pages for staff and integration keys."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import STAFF_ROLES, Role
from core.errors import ApplicationError
from identity import services
from identity.models import ApiKey, SealedTOTPDevice, User
from identity.permissions import staff_required
from identity.views import request_info

ROLE_CHOICES = [(r.value, r.label) for r in Role if r.value in STAFF_ROLES]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What uses the key (e.g. the ERP's nightly export)"), max_length=100
    )


def _staff_member(pk: int) -> User:
    return get_object_or_404(User, pk=pk, role__in=sorted(STAFF_ROLES))


@staff_required("staff.manage")
def staff(request):
    members = list(services.staff_list())
    enrolled = set(
        SealedTOTPDevice.objects.filter(user__in=members, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "identity/office/staff.html",
        {
            "members": [{"user": u, "second_factor": u.pk in enrolled} for u in members],
            "roles": ROLE_CHOICES,
        },
    )


def _act(request, action, done: str):
    try:
        changed = action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if changed:
            messages.success(request, done)
    return redirect("office_staff")


@require_POST
@staff_required("staff.manage")
def staff_role(request, pk: int):
    user = _staff_member(pk)
    return _act(
        request,
        lambda: services.staff_role_set(
            user=user,
            role=request.POST.get("role", ""),
            actor=request.user,
            info=request_info(request),
        ),
        _("The role of %(login)s is changed.") % {"login": user.get_username()},
    )


@require_POST
@staff_required("staff.manage")
def staff_deactivate(request, pk: int):
    user = _staff_member(pk)
    return _act(
        request,
        lambda: services.staff_deactivate(
            user=user,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            info=request_info(request),
        ),
        _("The account of %(login)s is closed.") % {"login": user.get_username()},
    )


@require_POST
@staff_required("staff.manage")
def staff_reactivate(request, pk: int):
    user = _staff_member(pk)
    return _act(
        request,
        lambda: services.staff_reactivate(
            user=user, actor=request.user, info=request_info(request)
        ),
        _("The account of %(login)s is open again.") % {"login": user.get_username()},
    )


@require_POST
@staff_required("staff.manage")
def staff_second_factor_reset(request, pk: int):
    user = _staff_member(pk)
    return _act(
        request,
        lambda: services.second_factor_reset(
            user=user, actor=request.user, info=request_info(request)
        ),
        _("%(login)s sets up a new authenticator app at the next login.")
        % {"login": user.get_username()},
    )


@staff_required("api_keys.manage")
def api_keys(request):
    """List, make (the key shown once, here) and revoke the integration keys."""
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            new_key = services.api_key_issue(
                name=form.cleaned_data["name"], actor=request.user, info=request_info(request)
            )
        except ApplicationError as exc:
            form.add_error("name", exc.message)
        else:
            form = ApiKeyForm()
    response = render(
        request,
        "identity/office/api_keys.html",
        {
            "form": form,
            "new_key": new_key,
            "keys": ApiKey.objects.select_related("created_by").order_by(
                "revoked_at", "-created_at"
            ),
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"  # the page may show a new key
    return response


@require_POST
@staff_required("api_keys.manage")
def api_key_revoke(request, pk: int):
    key = get_object_or_404(ApiKey, pk=pk)
    if services.api_key_revoke(key=key, actor=request.user, info=request_info(request)):
        messages.success(request, _("The key %(name)s is revoked.") % {"name": key.name})
    return redirect("office_api_keys")
