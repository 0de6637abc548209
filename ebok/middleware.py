"""The request pipeline's own pieces (order in settings.MIDDLEWARE):

HealthCheckMiddleware answers /healthz and /readyz on any host, before tenancy; TenantMiddleware
picks the tenant from the host through the cached registry (no query per request) and answers a
suspended tenant with its page; TenantLocaleMiddleware picks the language among the tenant's;
ContentSecurityPolicyMiddleware sets CSP on every response.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from core import csp as core_csp
from core.errors import error_body
from ebok.hosts import allow_tenant_host
from ebok.views import healthz, readyz, tenant_suspended, unknown_host
from tenants.registry import tenant_for_host


class HealthCheckMiddleware:
    """Liveness and readiness answer on any Host (load balancers and Kubernetes probes call them
    by IP), without sessions, tenants or redirects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in ("/healthz", "/readyz"):
            connection.set_schema_to_public()
            return healthz(request) if request.path == "/healthz" else readyz(request)
        return self.get_response(request)


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' middleware with the domain lookup served from the registry: the schema is
    switched once per request and no query is made for a host already known. A suspended tenant
    is answered here with its "service suspended" page."""

    @staticmethod
    def domain_from_request(request: HttpRequest) -> str:
        # The raw Host header: ALLOWED_HOSTS is enforced after the tenant is known (ebok.hosts).
        raw = request.META.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None
        raw = raw or request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
        domain, _port = split_domain_port(raw.lower())
        if not domain:
            raise DisallowedHost(raw)
        return domain

    @staticmethod
    def hostname_of(domain: str) -> str:
        """The host a tenant is registered under: ``www.`` is the same portal."""
        return domain.removeprefix("www.")

    @staticmethod
    def setup_url_routing(request: HttpRequest, force_public: bool = False) -> None:
        if force_public or request.tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF

    @classmethod
    def hostname_from_request(cls, request: HttpRequest) -> str:
        return cls.hostname_of(cls.domain_from_request(request))

    def process_request(self, request: HttpRequest):
        allow_tenant_host("")
        try:
            domain = self.domain_from_request(request)
        except DisallowedHost:
            connection.set_schema_to_public()
            return unknown_host(request)
        tenant = tenant_for_host(self.hostname_of(domain))
        if tenant is None:
            connection.set_schema_to_public()
            return unknown_host(request)
        allow_tenant_host(domain)
        request.tenant = tenant
        connection.set_tenant(tenant)
        self.setup_url_routing(request)
        if tenant.is_suspended:
            return tenant_suspended(request)
        return None


class TenantLocaleMiddleware:
    """The language of the request (cookie from the language switch, then Accept-Language),
    limited to the tenant's languages; Polish when nothing matches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        allowed = (
            [str(lang) for lang in tenant.configuration.languages]
            if tenant is not None and not tenant.is_public and tenant.has_configuration
            else [code for code, _name in settings.LANGUAGES]
        )
        language = translation.get_language_from_request(request)
        if language not in allowed:
            language = allowed[0]
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


CSP = core_csp.CSP


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class ApiOriginMiddleware:
    """A state-changing API call from another site's page is refused (403 ``foreign_origin``).

    The API's token and anonymous endpoints are exempt from Django's CSRF check (they are not
    authenticated by a cookie), so a hostile page could otherwise make a visitor's browser post to
    them (a password reset for someone's login, a registration). Browsers name the page's origin
    in ``Origin`` (and ``Sec-Fetch-Site``); mobile apps and ERP systems send neither."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in _SAFE_METHODS and request.path.startswith("/api/"):
            origin = request.headers.get("Origin")
            own = f"{request.scheme}://{request.get_host()}"
            cross_site = request.headers.get("Sec-Fetch-Site") == "cross-site"
            if cross_site or (origin is not None and origin != own):
                return JsonResponse(
                    error_body(
                        "foreign_origin",
                        _("This request came from another website and was refused."),
                    ),
                    status=403,
                )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """No inline scripts or styles anywhere: tenant colours come from /theme.css. Every dynamic
    response is also kept out of shared and browser caches (``no-store``) unless its view chose
    otherwise: pages show personal data and carry CSRF tokens; only a few public assets (the
    theme, logos) say they may be cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-store")
        return response
