"""The second factor: the code at login, and enrolling or replacing an authenticator."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from core.errors import ApplicationError
from identity import services
from identity.errors import TwoFactorError
from identity.forms import (
    SecondFactorForm,
    TwoFactorEnrolForm,
)
from identity.models import AuthEvent
from identity.twofactor import services as twofactor
from identity.views.common import _after_gates, _posted, add_form_errors, request_info


@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """The second step of login: a code from the authenticator app or a backup code. A user who
    must use 2FA but has no device yet is sent to enrol."""
    if request.user.is_verified():
        return _after_gates(request)
    if not twofactor.has_confirmed_device(request.user):
        return redirect("two_factor_enrol")
    form = SecondFactorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        # Whether codes were being held back *before* this one: only then is "wait" the answer
        # (a first wrong code starts a one-second delay, and is simply wrong).
        wait = twofactor.seconds_until_codes_are_checked(request.user)
        device = twofactor.second_factor_verify(
            user=request.user, token=form.cleaned_data["code"], info=request_info(request)
        )
        if device is not None:
            otp_login(request, device)
            return _after_gates(request)
        form.add_error(
            "code",
            _("Too many wrong codes. Wait %(seconds)d s and try the current code again.")
            % {"seconds": wait}
            if wait
            else _("The code is not valid. Try the current code from the app or a backup code."),
        )
    return render(
        request, "identity/two_factor.html", {"form": form}, status=400 if form.errors else 200
    )


ENROLLING_DEVICE = "ebok_enrolling_device"


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_enrol_view(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the key), confirm with a code, keep the backup codes.

    Someone who already has an authenticator may replace it only from a session that passed the
    second factor, and only with the password and a code of the current one: knowing the password
    alone must never be enough to put a new device on the account."""
    user = request.user
    if twofactor.enrolment_refused(user, session_verified=user.is_verified()):
        services.audit(
            AuthEvent.Kind.TWO_FACTOR_FAILED,
            user=user,
            login=user.get_username(),
            info=request_info(request),
            stage="enrolment_refused",
        )
        context = {"message": TwoFactorError.reauthentication_required().message}
        return render(request, "identity/two_factor_enrol_refused.html", context, status=403)
    replacing = twofactor.has_confirmed_device(user)
    form = TwoFactorEnrolForm(_posted(request), replacing=replacing)
    device = twofactor.totp_enrolment_start(
        user=user, device_id=request.session.get(ENROLLING_DEVICE)
    )
    request.session[ENROLLING_DEVICE] = device.pk
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes, confirmed = twofactor.totp_enrolment_confirm(
                    user=user,
                    device_id=device.pk,
                    token=form.cleaned_data["code"],
                    session_verified=user.is_verified(),
                    password=form.cleaned_data.get("current_password", ""),
                    current_code=form.cleaned_data.get("current_code", ""),
                    info=request_info(request),
                )
            except ApplicationError as exc:
                add_form_errors(form, exc)
            else:
                otp_login(request, confirmed)
                request.session.pop(ENROLLING_DEVICE, None)
                return render(request, "identity/backup_codes.html", {"codes": codes})
    context = {
        "form": form,
        "replacing": replacing,
        "qr": twofactor.totp_qr_data_uri(device),
        "secret": twofactor.totp_secret_for_humans(device),
    }
    return render(request, "identity/two_factor_enrol.html", context, status=status)
