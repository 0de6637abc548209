"""Login, logout, forced password change, documents to accept, recovery, session refresh."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from core.errors import ApplicationError, Throttled
from core.http import base_url
from core.throttling import client_ip, hit
from identity import policies, profile, selectors, services, twofactor
from identity.errors import AccountLocked, LinkExpired, LinkUsed, TwoFactorError
from identity.forms import (
    ContactForm,
    LoginForm,
    PasswordChangeForm,
    ReminderForm,
    ResetRequestForm,
    SecondFactorForm,
    SetPasswordForm,
    TermsForm,
    TwoFactorEnrolForm,
)
from identity.middleware import (
    LAST_ACTIVITY,
    MUST_CHANGE,
    NEEDS_SECOND_FACTOR,
    TERMS_PENDING,
    idle_timeout_seconds,
)
from identity.models import AuthEvent, CorrespondenceAddress, Document, OneTimeToken
from tenants.policies import RecoveryMethod

REMEMBER_COOKIE = "ebok_login"
ABSOLUTE_SESSION_SECONDS = 12 * 60 * 60


def request_info(request: HttpRequest) -> services.RequestInfo:
    return services.RequestInfo(
        ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


def _posted(request: HttpRequest):
    """The submitted data of a POST (even an empty one), None otherwise."""
    return request.POST if request.method == "POST" else None


def add_form_errors(form, exc: ApplicationError) -> None:
    fields = exc.extra.get("fields") or {}
    for name, errors in fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    if not fields:
        form.add_error(None, exc.message)


def start_session(request: HttpRequest, user) -> None:
    """Log ``user`` in: a new session id and CSRF token, the absolute limit, and the gates."""
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(ABSOLUTE_SESSION_SECONDS)
    request.session[NEEDS_SECOND_FACTOR] = twofactor.second_factor_required(user)
    request.session[MUST_CHANGE] = user.must_change_password
    request.session[TERMS_PENDING] = bool(selectors.documents_to_accept(user))
    request.session[LAST_ACTIVITY] = int(time.time())


AFTER_LOGIN = "ebok_after_login"  # where the login page was asked to lead (a checked ?next=)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _name_the_login_field(form, config) -> None:
    """The login field says what the tenant accepts ("Symbol klienta", "Identyfikator lub
    e-mail"): the tenant's own words, in the reader's language."""
    if config is not None and config.wording.login_label:
        form.fields["login"].label = str(config.wording.login_label)


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    config = selectors.tenant_config()
    remembered = request.COOKIES.get(REMEMBER_COOKIE, "")
    form = LoginForm(_posted(request), initial={"login": remembered, "remember": bool(remembered)})
    _name_the_login_field(form, config)
    status = 200
    locked_message = ""
    if request.method == "POST" and form.is_valid():
        login, password = form.cleaned_data["login"], form.cleaned_data["password"]
        try:
            hit("login_ip", client_ip(request))
            hit("login_account", selectors.normalise_login(login))
            user = services.login_attempt(
                login=login, password=password, info=request_info(request)
            )
        except Throttled as exc:
            form.add_error(None, exc.message)
            status = 429
        except AccountLocked as exc:
            locked_message = exc.message
            status = 423
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = 401
        else:
            start_session(request, user)
            target = _next_url(request)
            gated = any(
                request.session.get(k) for k in (NEEDS_SECOND_FACTOR, MUST_CHANGE, TERMS_PENDING)
            )
            if target != reverse("home") and gated:
                # Kept through the second factor, a forced password change and the documents:
                # whichever of them comes last sends the user on to it.
                request.session[AFTER_LOGIN] = target
            response = redirect(target)
            if form.cleaned_data["remember"] and (config is None or config.session.remember_login):
                # Only the login name is remembered on this device; the session still ends when
                # idle, whatever this box says.
                response.set_cookie(
                    REMEMBER_COOKIE,
                    login,
                    max_age=365 * 24 * 3600,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
            else:
                response.delete_cookie(REMEMBER_COOKIE)
            return response
    context = {
        "form": form,
        "locked_message": locked_message,
        "next": request.GET.get("next", ""),
        "expired": request.GET.get("expired") == "1",
        "recovery": str(config.links.recovery) if config else "",
        "documents": selectors.current_documents(config.registration.required_documents)
        if config
        else [],
    }
    return render(request, "identity/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.audit(
            "logged_out",
            user=request.user,
            login=request.user.get_username(),
            info=request_info(request),
        )
    auth_logout(request)
    return redirect("home")


def _password_check_url() -> str:
    """The live check of the tenant's API (the platform's own pages have none)."""
    try:
        return reverse("api-password-check")
    except NoReverseMatch:
        return ""


def _policy_context(user=None, typed_password: str | None = None) -> dict:
    """The policy's checklist; with ``typed_password`` each rule carries its verdict, so the
    checklist is right after a submit even without JavaScript."""
    config = selectors.tenant_config()
    if config is None:
        return {}
    policy = config.password_policy
    login = user.login_names if user is not None else []
    verdicts = {}
    if typed_password:
        verdicts = {v.code: v.met for v in policies.evaluate(typed_password, policy, login=login)}
    rules = [
        {
            "code": r.code,
            "detail": r.detail,
            "state": "" if r.code not in verdicts else ("met" if verdicts[r.code] else "unmet"),
        }
        for r in policies.describe(policy)
    ]
    return {
        "password_rules": rules,
        "password_policy_description": str(policy.description),
        "password_policy_json": {
            "min_length": policy.min_length,
            "max_length": policy.max_length,
            "min_uppercase": policy.min_uppercase,
            "min_lowercase": policy.min_lowercase,
            "min_letters": policy.min_letters,
            "min_digits": policy.min_digits,
            "min_special": policy.min_special,
            "min_digits_or_special": policy.min_digits_or_special,
            "special_characters": policy.special_characters,
            "no_special": policy.no_special,
            "ascii_only": policy.ascii_only,
            "forbid_login": policy.forbid_login,
            "history": policy.history,
            "logins": login,
            "check_url": _password_check_url(),
        },
    }


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


@login_required
def terms_view(request: HttpRequest) -> HttpResponse:
    documents = selectors.documents_to_accept(request.user)
    if not documents:
        request.session[TERMS_PENDING] = False
        return redirect("home")
    form = TermsForm(_posted(request), documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            services.documents_accept(
                user=request.user, ids=form.accepted_ids(), info=request_info(request)
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[TERMS_PENDING] = False
            return _after_gates(request)
    return render(
        request,
        "identity/terms.html",
        {"form": form, "documents": documents},
        status=400 if form.errors else 200,
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


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """Moje konto: the login data, the customer records the account holds, and the contact data
    the customer keeps up to date themselves (or erases)."""
    user = request.user
    address = CorrespondenceAddress.objects.filter(user=user).first()
    initial = {"email": user.email, "phone": user.phone}
    if address is not None:
        initial.update({name: getattr(address, name) for name in ContactForm.ADDRESS})
    form = ContactForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=user,
                current_password=form.cleaned_data["current_password"],
                info=request_info(request),
                base_url=base_url(request),
                **form.changes(),
            )
        except ApplicationError as exc:
            _add_contact_errors(form, exc)
        else:
            messages.success(request, _("Your contact data are saved."))
            if user.pending_email:
                messages.info(
                    request,
                    _("We have sent a link to %(email)s: the new address is used once you open it.")
                    % {"email": user.pending_email},
                )
            return redirect("account")
    context = {
        "form": form,
        "address_fields": [form[name] for name in ContactForm.ADDRESS],
        "address": address,
        "sections": profile.sections(user),
        "has_authenticator": twofactor.has_confirmed_device(user),
    }
    return render(request, "identity/account.html", context, status=400 if form.errors else 200)


def _add_contact_errors(form, exc: ApplicationError) -> None:
    """The service's field paths (``address.town``) onto the form's fields."""
    for path, errors in (exc.extra.get("fields") or {}).items():
        name = path.removeprefix("address.")
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    if not exc.extra.get("fields"):
        form.add_error(None, exc.message)


def email_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new e-mail address: opening it makes it the account's address (the
    password was asked when the change was made; the link proves the mailbox)."""
    if request.method != "POST":
        # A mail scanner that follows links must not confirm: the page asks for one click.
        try:
            services.token_peek(token=token, purpose=OneTimeToken.Purpose.EMAIL_CHANGE)
        except (LinkExpired, LinkUsed) as exc:
            return render(
                request, "identity/link_invalid.html", {"message": exc.message}, status=410
            )
        return render(request, "identity/email_confirm.html")
    try:
        user = services.email_change_confirm(token=token, info=request_info(request))
    except (LinkExpired, LinkUsed) as exc:
        return render(request, "identity/link_invalid.html", {"message": exc.message}, status=410)
    messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": user.email})
    return redirect("account" if request.user.is_authenticated else "login")


@login_required
def contact_erase_view(request: HttpRequest) -> HttpResponse:
    """ "Delete my contact data": a confirmation page, then the erasure for good."""
    if request.method == "POST":
        services.contact_erase(user=request.user, info=request_info(request))
        messages.success(request, _("Your contact data have been deleted."))
        return redirect("account")
    config = selectors.tenant_config()
    keeps_email = config is None or config.links.recovery != RecoveryMethod.STAFF_ONLY
    return render(request, "identity/contact_erase.html", {"keeps_email": keeps_email})


@require_POST
def session_refresh_view(request: HttpRequest) -> HttpResponse:
    """ "Odśwież sesję": the idle timer starts again (the middleware already recorded this
    request as activity). Answers JSON to the page's script, or goes back without it."""
    if not request.user.is_authenticated:
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"code": "session_expired"}, status=401)
        return redirect(f"{reverse('login')}?expired=1")
    hit("session_refresh", str(request.user.pk))
    request.session[LAST_ACTIVITY] = int(time.time())  # an explicit refresh always counts
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"idle_seconds": idle_timeout_seconds(request.user)})
    return redirect(_next_url(request))


def _after_gates(request: HttpRequest) -> HttpResponse:
    if request.session.get(MUST_CHANGE) or request.user.must_change_password:
        return redirect("password_change_forced")
    if request.session.get(TERMS_PENDING):
        return redirect("terms_accept")
    return redirect(request.session.pop(AFTER_LOGIN, None) or reverse("home"))


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
        device = twofactor.second_factor_verify(
            user=request.user, token=form.cleaned_data["code"], info=request_info(request)
        )
        if device is not None:
            otp_login(request, device)
            return _after_gates(request)
        wait = twofactor.seconds_until_codes_are_checked(request.user)
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
