"""Session rules that run on every authenticated request (after AuthenticationMiddleware):

- IdleTimeoutMiddleware ends a session idle for longer than the tenant's timeout (server-side,
  whatever the page's countdown says) and lands on the login page with a message;
- AccountGateMiddleware lets a user whose password must change, or who has documents to accept,
  reach nothing but that step (pages redirect there; the API answers 428).
"""

from __future__ import annotations

import time

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import Role
from core.errors import error_body
from core.throttling import client_ip
from identity.models import AuthEvent
from identity.selectors import tenant_config
from identity.services import RequestInfo, audit

LAST_ACTIVITY = "ebok_last_activity"
MUST_CHANGE = "ebok_must_change_password"
TERMS_PENDING = "ebok_terms_pending"
NEEDS_SECOND_FACTOR = "ebok_needs_second_factor"
STAFF_IDLE_SECONDS = 15 * 60
ACTIVITY_RESOLUTION_SECONDS = 30

# Paths every gated user may still reach.
_ALWAYS_OPEN = (
    "/static/",
    "/theme.css",
    "/branding/",
    "/i18n/",
    "/logout/",
    "/session/",
    "/api/v1/auth/logout",
    "/api/v1/tenant",
    "/api/schema/",
    "/api/docs/",
    "/healthz",
    "/readyz",
)


def idle_timeout_seconds(user) -> int:
    """The customers' idle timeout of the tenant; staff their own (the tenant's
    ``session.staff_idle_timeout_minutes``), operators 15 minutes."""
    config = tenant_config()
    if getattr(user, "is_tenant_staff", False) and config is not None:
        return config.session.staff_idle_timeout_minutes * 60
    seconds = config.session.idle_timeout_minutes * 60 if config else STAFF_IDLE_SECONDS
    if getattr(user, "role", "") == Role.OPERATOR:
        seconds = min(seconds, STAFF_IDLE_SECONDS)
    return seconds


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            limit = idle_timeout_seconds(user)
            if last is not None and now - last > limit:
                audit(
                    AuthEvent.Kind.SESSION_EXPIRED,
                    user=user,
                    login=user.get_username(),
                    info=RequestInfo(ip=client_ip(request)),
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        error_body(
                            "session_expired", _("Your session has expired. Please log in again.")
                        ),
                        status=401,
                    )
                # The login page says why (once) from ?expired=1, which the page's own timer
                # uses too.
                return redirect(f"{reverse('login')}?expired=1")
            # Saving the session costs a write: the stamp moves at most every 30 s, so a user is
            # logged out between `limit` and `limit + 30` seconds after the last request.
            if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY] = now
            request.idle_seconds_left = limit
        return self.get_response(request)


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(_ALWAYS_OPEN):
            return self.get_response(request)
        session = getattr(request, "session", {})
        if session.get(NEEDS_SECOND_FACTOR) and not user.is_verified():
            return self._gate(
                request,
                "two_factor_required",
                "two_factor",
                _("Please confirm your login with the second factor first."),
                allowed=("/account/2fa/",),
                api_allowed=("/api/v1/auth/2fa",),
            )
        if session.get(MUST_CHANGE) or user.must_change_password:
            return self._gate(
                request,
                "password_change_required",
                "password_change_forced",
                _("Please set a new password first."),
                allowed=("/account/password/",),
            )
        if session.get(TERMS_PENDING):
            return self._gate(
                request,
                "terms_acceptance_required",
                "terms_accept",
                _("Please accept the documents first."),
                allowed=("/account/terms/",),
                api_allowed=("/api/v1/auth/terms",),
            )
        return self.get_response(request)

    def _gate(
        self, request, code, url_name, message, *, allowed, api_allowed=("/api/v1/auth/password/",)
    ):
        if request.path.startswith("/api/"):
            if request.path.startswith(api_allowed):
                return self.get_response(request)
            return JsonResponse(error_body(code, message), status=428)
        if request.path.startswith(allowed):
            return self.get_response(request)
        return redirect(reverse(url_name))
