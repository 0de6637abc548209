"""HTTP helpers every app may use."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import ApplicationError, CoreErrorCode


def base_url(request: HttpRequest) -> str:
    """The scheme and host the request came to (a tenant's own domain or subdomain): links in
    e-mails point back to the portal the person used."""
    return f"{request.scheme}://{request.get_host()}"


def tenant_base_url() -> str:
    """The current tenant's portal address, for links that background jobs send (there is no
    request to take it from): its primary domain, with ``PLATFORM_URL_SCHEME`` and
    ``PLATFORM_PORT``."""
    tenant = getattr(connection, "tenant", None)
    domain = tenant.get_primary_domain() if tenant is not None else None
    host = domain.domain if domain is not None else settings.PLATFORM_DOMAIN
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_URL_SCHEME}://{host}{port}"


def moment_param(raw: str, *, name: str = "since") -> datetime:
    """A query parameter's moment (ISO 8601 with its zone), else a 400 naming ``name``."""
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        message = _("Give the moment as ISO 8601 with its time zone, e.g. 2026-01-31T08:00:00Z.")
        raise ApplicationError(
            message, code=CoreErrorCode.INVALID, extra={"fields": {name: [message]}}
        )
    return value
