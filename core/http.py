"""HTTP helpers every app may use."""

from __future__ import annotations

from django.http import HttpRequest


def base_url(request: HttpRequest) -> str:
    """The scheme and host the request came to (a tenant's own domain or subdomain): links in
    e-mails point back to the portal the person used."""
    return f"{request.scheme}://{request.get_host()}"
