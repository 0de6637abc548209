"""Platform pages: landing, tenant home, theme, error pages, liveness and readiness."""

from __future__ import annotations

import hashlib
import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from billing.views import dashboard
from core.colours import darken_until_readable, readable_text_on
from core.errors import error_body
from tenants.selectors import tenant_list_public

logger = logging.getLogger(__name__)


def landing(request: HttpRequest) -> HttpResponse:
    """The platform's page on its root host."""
    demo_tenants = []
    if settings.DEBUG:
        demo_tenants = tenant_list_public()
    return render(request, "ebok/landing.html", {"demo_tenants": demo_tenants})


def tenant_home(request: HttpRequest) -> HttpResponse:
    """The portal's front page; a logged-in customer lands on the dashboard."""
    user = request.user
    if user.is_authenticated and getattr(user, "role", "") in ("customer", "manager"):
        return dashboard(request)
    if (
        user.is_authenticated
        and getattr(user, "role", "") == "tenant_admin"
        and request.tenant.is_onboarding
        and user.is_verified()
    ):
        return redirect("office_onboarding")
    if user.is_authenticated and getattr(user, "is_tenant_staff", False):
        return redirect("office_home")  # the customers' pages are not theirs
    return render(request, "ebok/tenant_home.html")


@require_GET
def theme_css(request: HttpRequest) -> HttpResponse:
    """The tenant's colours as CSS variables (served as a file so CSP needs no inline styles).
    Text colours are derived so contrast meets WCAG AA whatever the tenant picked."""
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.has_configuration:
        branding = tenant.configuration.branding
        primary, accent = branding.primary_colour, branding.accent_colour
    else:
        primary, accent = "#1f5f8b", "#f0a202"
    css = (
        ":root{"
        f"--brand-primary:{primary};"
        f"--brand-on-primary:{readable_text_on(primary)};"
        f"--brand-accent:{accent};"
        f"--brand-on-accent:{readable_text_on(accent)};"
        f"--brand-link:{darken_until_readable(primary)};"
        "}\n"
    )
    etag = '"' + hashlib.sha256(css.encode()).hexdigest()[:16] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


def unknown_host(request: HttpRequest) -> HttpResponse:
    """No tenant has this host: a friendly, translated 404 (never the platform's pages). It runs
    before the locale middleware, so it picks the language itself."""
    _activate_request_language(request)
    return render(request, "ebok/unknown_host.html", status=404)


def _activate_request_language(request: HttpRequest) -> None:
    """For pages answered by the tenant middleware, before the locale middleware has run."""
    translation.activate(translation.get_language_from_request(request))


def tenant_suspended(request: HttpRequest) -> HttpResponse:
    _activate_request_language(request)
    if request.path.startswith("/api/"):
        body = error_body("tenant_suspended", _("This service is suspended."))
        return JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    response = render(request, "ebok/suspended.html", status=503)
    response["Retry-After"] = "3600"
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return render(request, "ebok/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        body = error_body(
            "server_error", _("Something went wrong on our side. Please try again later.")
        )
        return JsonResponse(body, status=500)
    return render(request, "ebok/500.html", status=500)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_body("permission_denied", _("You are not allowed to do this.")), status=403
        )
    return render(request, "ebok/403.html", status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("invalid", _("The request is not valid.")), status=400)
    return render(request, "ebok/400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_body("csrf_failed", _("The form has expired. Please try again.")), status=403
        )
    return render(request, "ebok/403.html", {"csrf": True}, status=403)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: PostgreSQL answers, and Redis when it is configured."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        logger.warning("readyz: database unavailable: %s", type(exc).__name__)
        checks["database"] = "unavailable"
        connection.close()
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            logger.warning("readyz: redis unavailable: %s", type(exc).__name__)
            checks["redis"] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
