"""Template context: the tenant's branding (or the platform's on the root host)."""

from django.conf import settings


def tenant_branding(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public or not tenant.config:
        return {"branding": None, "tenant": None, "platform_domain": settings.PLATFORM_DOMAIN}
    from django.urls import reverse

    from ebok.modules import MODULE_URLS

    config = tenant.configuration
    return {
        "tenant": tenant,
        "branding": config.branding,
        "modules": [str(m) for m in config.modules],
        # Only modules the portal has pages for: nothing advertises or links what does not
        # exist (a module switched on before its pages are built stays out of sight).
        "module_links": [
            (str(m), reverse(MODULE_URLS[str(m)])) for m in config.modules if str(m) in MODULE_URLS
        ],
        "tenant_languages": [
            (code, name) for code, name in settings.LANGUAGES if code in config.languages
        ],
        "platform_domain": settings.PLATFORM_DOMAIN,
    }
