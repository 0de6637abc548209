"""Template context: the tenant's branding (or the platform's on the root host)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from core import portal
from identity.permissions import has_permission


def _module_links(config, request) -> list[tuple[str, str]]:
    """Only modules the portal has pages for: nothing advertises or links what does not exist
    (a module switched on before its pages are built stays out of sight). Modules shown on one
    page (premises, contracts, points of supply) give one link, named by the first of them."""

    links, seen = [], set()
    for module in map(str, config.modules):
        if (url := portal.module_url(module, request)) and url not in seen:
            seen.add(url)
            links.append((module, url))
    return links


def current_link(path: str, urls: list[str]) -> str | None:
    """The one link of the navigation the page belongs to: the longest that the path begins
    with (on /payments/pay/ the online payment's, not also the payments received at
    /payments/)."""
    matching = [url for url in urls if path.startswith(url)]
    return max(matching, key=len) if matching else None


def _current_module_url(request, links: list) -> str | None:
    """The menu's link of the module the page belongs to (a payment's return page, at
    /payments/<id>/, is the online payments', not the payments received's at /payments/); else
    the link the path begins with."""
    own = [str(m) for m in getattr(request, "portal_modules", ())]
    for module, url in links:
        if str(module) in own and url:
            return url
    return current_link(request.path, [url for _module, url in links])


def return_path(request) -> str:
    """Where the language switch and the session refresh lead back to: this page, or, for a
    page shown in answer to a form (a POST that found errors, at an address that takes POST
    only), the page the form was on (same site only), else the home page."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc == request.get_host() and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/"


def office_search(request) -> str | None:
    """Where the search box on every office page sends (for staff who may find customers)."""
    user = getattr(request, "user", None)
    if not request.path.startswith("/office/") or user is None or not user.is_authenticated:
        return None
    if not has_permission(user, "customers.view"):
        return None
    return reverse("office_customers")


def tenant_branding(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public or not tenant.has_configuration:
        return {
            "branding": None,
            "tenant": None,
            "platform_domain": settings.PLATFORM_DOMAIN,
            "return_path": return_path(request),
        }
    config = tenant.configuration
    links = _module_links(config, request)
    return {
        "tenant": tenant,
        "branding": config.branding,
        "wording": config.wording,
        "modules": [str(m) for m in config.modules],
        "module_links": links,
        "current_module_url": _current_module_url(request, links),
        "tenant_languages": [
            (code, name) for code, name in settings.LANGUAGES if code in config.languages
        ],
        "platform_domain": settings.PLATFORM_DOMAIN,
        "return_path": return_path(request),
        "office_search": office_search(request),
    }
