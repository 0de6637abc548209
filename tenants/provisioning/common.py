"""What signup and a tenant's lifecycle share: the platform's audit log, the hooks identity
registers for a new tenant's first administrator, and the tenant's address."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from core.access import Actor
from tenants.models import PlatformEvent, Tenant
from tenants.services import (
    actor_description,
)

logger = logging.getLogger(__name__)


# The platform's terms an organisation accepts at signup (the text is templates/tenants/terms.html).
PLATFORM_TERMS_VERSION = "2026-11"


SIGNUP_LINK_HOURS = 48


# What the form and the API pass on unchanged to signup_request.
SIGNUP_FIELDS = (
    "organisation_name",
    "kind",
    "nip",
    "regon",
    "address",
    "admin_first_name",
    "admin_last_name",
    "admin_email",
)


DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class AdministratorHooks:
    # (tenant, first_name, last_name, email, base_url) -> None, run in the tenant's schema
    create: Callable[..., None]
    # (tenant, base_url) -> number of invitations sent, run in the tenant's schema
    resend: Callable[..., int]


_hooks: AdministratorHooks | None = None


def register_administrator_hooks(hooks: AdministratorHooks) -> None:
    global _hooks
    _hooks = hooks


def _administrator_hooks() -> AdministratorHooks:
    if _hooks is None:  # pragma: no cover - identity registers them in AppConfig.ready
        raise RuntimeError("identity has not registered the administrator hooks")
    return _hooks


def platform_event(
    kind: str, *, tenant: Tenant | None, actor: Actor | str, **details
) -> PlatformEvent:
    actor_name, _schema = actor_description(actor)
    return PlatformEvent.objects.create(
        kind=kind,
        tenant=tenant,
        tenant_slug=tenant.slug if tenant is not None else details.pop("slug", ""),
        actor=actor_name,
        details=details,
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tenant_base_url(*, slug: str, scheme: str, port: str | int | None) -> str:
    port_part = f":{port}" if port and str(port) not in ("80", "443") else ""
    return f"{scheme}://{slug}.{settings.PLATFORM_DOMAIN}{port_part}"
