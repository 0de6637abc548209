"""Reads of the public schema's tenant data."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import schema_context

from tenants.models import Tenant, TenantSettingChange


def active_tenant_schemas() -> list[str]:
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return list(
            Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
            .filter(status=Tenant.Status.ACTIVE)
            .values_list("schema_name", flat=True)
        )


def tenant_list_public() -> list[dict]:
    """Active tenants with their primary host (the development landing page lists them)."""
    rows = (
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .filter(status=Tenant.Status.ACTIVE)
        .prefetch_related("domains")
    )
    out = []
    for tenant in rows:
        primary = next((d.domain for d in tenant.domains.all() if d.is_primary), None)
        port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
        out.append(
            {
                "name": tenant.name,
                "portal_name": tenant.configuration.branding.portal_name,
                "url": f"http://{primary}{port}/" if primary else None,
            }
        )
    return out


def tenant_setting_history(*, tenant: Tenant, limit: int = 100) -> list[TenantSettingChange]:
    return list(TenantSettingChange.objects.filter(tenant=tenant)[:limit])


def tenant_public_info(*, tenant: Tenant) -> dict:
    """What anyone may know about a tenant (API.md ``GET /api/v1/tenant``)."""
    from tenants import policies

    config = tenant.configuration
    branding = policies.dump(config.branding)
    registration = config.registration
    return {
        "name": tenant.name,
        "portal_name": config.branding.portal_name,
        "kind": tenant.kind,
        "languages": [str(lang) for lang in config.languages],
        "branding": branding,
        "modules": [str(m) for m in config.modules],
        "login_identifiers": [str(i) for i in config.login_identifiers],
        "registration": {
            "flow": str(registration.flow),
            "online": registration.online,
            "verification": str(registration.verification),
            "credentials": str(registration.credentials),
            "captcha": str(registration.captcha),
            "required_documents": [str(d) for d in registration.required_documents],
        },
        "password_policy": policies.dump(config.password_policy),
        "idle_timeout_seconds": config.session.idle_timeout_minutes * 60,
        "lockout_threshold": config.lockout.threshold,
    }
