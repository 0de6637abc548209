"""What the identity pages share: the request's facts for the audit, form errors from a
service, starting a session and the gates after login."""

from __future__ import annotations

import time

from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import ApplicationError
from core.throttling import client_ip
from identity import policies, selectors, services
from identity.middleware import (
    LAST_ACTIVITY,
    MUST_CHANGE,
    NEEDS_SECOND_FACTOR,
    TERMS_PENDING,
)
from identity.twofactor import services as twofactor

REMEMBER_COOKIE = "ebok_login"


ABSOLUTE_SESSION_SECONDS = 12 * 60 * 60


def request_info(request: HttpRequest) -> services.RequestInfo:
    return services.RequestInfo(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        channel="api" if request.path.startswith("/api/") else "portal",
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


def _after_gates(request: HttpRequest) -> HttpResponse:
    if request.session.get(MUST_CHANGE) or request.user.must_change_password:
        return redirect("password_change_forced")
    if request.session.get(TERMS_PENDING):
        return redirect("terms_accept")
    return redirect(request.session.pop(AFTER_LOGIN, None) or reverse("home"))
