"""Changing, resetting and setting a password, and the login reminder."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Throttled
from core.http import base_url
from core.throttling import client_ip, hit
from identity import selectors, services
from identity.errors import LinkExpired, LinkUsed
from identity.forms import (
    PasswordChangeForm,
    ReminderForm,
    ResetRequestForm,
    SetPasswordForm,
)
from identity.middleware import (
    MUST_CHANGE,
)
from identity.models import OneTimeToken
from identity.views.common import (
    _after_gates,
    _policy_context,
    _posted,
    add_form_errors,
    request_info,
)
from identity.views.login import _name_the_login_field


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    forced = request.user.must_change_password
    form = PasswordChangeForm(_posted(request), forced=forced)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user, info=request_info(request), **form.cleaned_data
            )
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            request.session[MUST_CHANGE] = False
            messages.success(request, _("Your password has been changed."))
            return _after_gates(request)
    context = {
        "form": form,
        "forced": forced,
        **_policy_context(request.user, request.POST.get("new_password")),
    }
    return render(
        request, "identity/password_change.html", context, status=400 if form.errors else 200
    )


def password_reset_request_view(request: HttpRequest) -> HttpResponse:
    config = selectors.tenant_config()
    form = ResetRequestForm(_posted(request))
    _name_the_login_field(form, config)
    if request.method == "POST" and form.is_valid():
        login = form.cleaned_data["login"]
        try:
            hit("reset_ip", client_ip(request))
            hit("reset_login", selectors.normalise_login(login))
        except Throttled as exc:
            form.add_error(None, exc.message)
            return render(request, "identity/reset_request.html", {"form": form}, status=429)
        services.password_reset_request(
            login=login, base_url=base_url(request), info=request_info(request)
        )
        return render(
            request,
            "identity/reset_sent.html",
            {"recovery": str(config.links.recovery) if config else ""},
        )
    return render(
        request,
        "identity/reset_request.html",
        {"form": form, "recovery": str(config.links.recovery) if config else ""},
    )


def password_set_view(request: HttpRequest, token: str) -> HttpResponse:
    """The single-use link of a new account (flow A): the same page as a reset."""
    return password_reset_complete_view(request, token, purpose=OneTimeToken.Purpose.SET_PASSWORD)


def password_reset_complete_view(
    request: HttpRequest, token: str, purpose: str = OneTimeToken.Purpose.PASSWORD_RESET
) -> HttpResponse:
    try:
        row = services.token_peek(token=token, purpose=purpose)
    except (LinkExpired, LinkUsed) as exc:
        return render(request, "identity/link_invalid.html", {"message": exc.message}, status=410)
    form = SetPasswordForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                token=token, purpose=purpose, info=request_info(request), **form.cleaned_data
            )
        except (LinkExpired, LinkUsed) as exc:
            return render(
                request, "identity/link_invalid.html", {"message": exc.message}, status=410
            )
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("Your password has been set. You can log in now."))
            return redirect("login")
    context = {
        "form": form,
        "token_user": row.user.shown_login,
        "expires_at": row.expires_at,
        **_policy_context(row.user, request.POST.get("new_password")),
    }
    return render(
        request, "identity/reset_complete.html", context, status=400 if form.errors else 200
    )


def login_reminder_view(request: HttpRequest) -> HttpResponse:
    form = ReminderForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            hit("reminder_ip", client_ip(request))
            hit("reminder_email", email)
        except Throttled as exc:
            form.add_error(None, exc.message)
            return render(request, "identity/reminder.html", {"form": form}, status=429)
        services.login_reminder_request(
            email=email, base_url=base_url(request), info=request_info(request)
        )
        return render(request, "identity/reminder_sent.html")
    return render(request, "identity/reminder.html", {"form": form})
