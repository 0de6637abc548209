"""Login and logout, the idle session's refresh, and the documents to accept."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.errors import ApplicationError, Throttled
from core.throttling import client_ip, hit
from identity import selectors, services
from identity.errors import AccountLocked
from identity.forms import (
    LoginForm,
    TermsForm,
)
from identity.middleware import (
    LAST_ACTIVITY,
    MUST_CHANGE,
    NEEDS_SECOND_FACTOR,
    TERMS_PENDING,
    idle_timeout_seconds,
)
from identity.models import AuthEvent, User
from identity.views.common import (
    AFTER_LOGIN,
    REMEMBER_COOKIE,
    _after_gates,
    _next_url,
    _posted,
    request_info,
    start_session,
)


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
            remember_language(response, user, config)
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


def remember_language(response: HttpResponse, user, config) -> None:
    """The language the person chose (on any device) is this device's from now on."""
    languages = [str(lang) for lang in config.languages] if config else []
    if user.language_chosen and user.language in languages:
        response.set_cookie(  # as Django's set_language sets it
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


def language_set_view(request: HttpRequest) -> HttpResponse:
    """The footer's language switch (Django's ``set_language``), which a logged-in person's
    account also keeps: their messages come in it and their next login on any device opens in
    it."""
    response = set_language(request)
    chosen = request.POST.get("language", "")
    config = selectors.tenant_config()
    allowed = [str(lang) for lang in config.languages] if config else []
    if request.method == "POST" and request.user.is_authenticated and chosen in allowed:
        User.objects.filter(pk=request.user.pk).update(language=chosen, language_chosen=True)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.audit(
            AuthEvent.Kind.LOGGED_OUT,
            user=request.user,
            login=request.user.get_username(),
            info=request_info(request),
        )
    auth_logout(request)
    return redirect("home")


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
