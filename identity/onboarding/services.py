"""The tenant administrator's setup of a new portal: branding and logo, registration and
security rules, documents, staff, first import, custom domain, publication. Every setting goes
through tenants.services.tenant_setting_set (validated and audited)."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.colours import contrast_ratio
from core.errors import ApplicationError, CoreErrorCode
from core.schemas import current_schema
from identity.models import User
from tenants import policies
from tenants.errors import TenantErrorCode
from tenants.models import Tenant
from tenants.presets import preset
from tenants.services import tenant_setting_set

LOGO_MAX_BYTES = 1024 * 1024
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# The primary colour is the header's background and the base of links: it must stand out from
# the white page (WCAG 2.1 non-text contrast, 3:1). Text on it is black or white, whichever
# reads better, so text contrast is always at least 4.5:1.
MIN_PRIMARY_CONTRAST = 3.0
# What the wizard lets an administrator take from another preset as a whole.
RULE_GROUPS = ("registration", "password_policy", "lockout", "session", "links")


def colour_report(colour: str) -> dict:
    on_white = contrast_ratio(colour, "#ffffff")
    text = max(contrast_ratio(colour, "#000000"), on_white)
    return {
        "colour": colour,
        "against_page": round(on_white, 2),
        "text_on_it": round(text, 2),
        "ok": on_white >= MIN_PRIMARY_CONTRAST,
    }


def logo_path(name: str) -> str:
    return f"{current_schema()}/branding/{name}"


def logo_store(upload) -> str:
    """Check an uploaded logo (PNG, JPEG or WebP, at most 1 MB, a real image) and keep it in the
    tenant's storage; returns the address the pages use."""

    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise ApplicationError(
            _("The logo may have at most 1 MB."),
            code=CoreErrorCode.INVALID,
            extra={"fields": {"logo": [_("The logo may have at most 1 MB.")]}},
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        kind = None
    if kind not in LOGO_FORMATS:
        message = _("Upload a PNG, JPEG or WebP image.")
        raise ApplicationError(
            message, code=CoreErrorCode.INVALID, extra={"fields": {"logo": [message]}}
        )
    name = f"logo-{hashlib.sha256(data).hexdigest()[:16]}.{LOGO_FORMATS[kind]}"
    if not default_storage.exists(logo_path(name)):
        default_storage.save(logo_path(name), ContentFile(data))
    return f"/branding/{name}"


@transaction.atomic
def branding_save(
    *, tenant: Tenant, values: dict, texts: dict | None = None, logo=None, actor: User
) -> bool:
    """Save the branding group at once (one audit row) after the contrast check, and the
    tenant's own texts with it (``texts``: setting path → {language: text}); all or nothing."""
    report = colour_report(values["primary_colour"])
    if not report["ok"]:
        message = _(
            "This colour stands out too little from the white page (%(ratio)s:1; at least 3:1 "
            "is needed). Choose a darker one."
        ) % {"ratio": report["against_page"]}
        raise ApplicationError(
            message, code=CoreErrorCode.INVALID, extra={"fields": {"primary_colour": [message]}}
        )
    texts = dict(texts or {})
    current = policies.dump(tenant.configuration.branding)
    updated = {
        **current,
        **values,
        **{
            path.split(".")[1]: text for path, text in texts.items() if path.startswith("branding.")
        },
    }
    if logo is not None:
        updated["logo"] = logo_store(logo)
    changed = tenant_setting_set(tenant=tenant, key="branding", value=updated, actor=actor)
    for path, text in texts.items():
        if not path.startswith("branding."):
            changed |= tenant_setting_set(tenant=tenant, key=path, value=text, actor=actor)
    return changed


def rules_from_preset(*, tenant: Tenant, code: str, actor: User) -> int:
    """Take the registration and security rules of preset ``code`` (branding stays)."""
    try:
        source = preset(code, name=tenant.name)
    except KeyError as exc:
        raise ApplicationError(_("Unknown preset."), code=TenantErrorCode.UNKNOWN_PRESET) from exc
    changed = 0
    for group in RULE_GROUPS:
        changed += tenant_setting_set(
            tenant=tenant, key=group, value=policies.dump(getattr(source, group)), actor=actor
        )
    return changed


@transaction.atomic
def rules_adjust(*, tenant: Tenant, values: dict, actor: User) -> int:
    """Adjust single rules (``group.field`` keys): all of them, or none when one is refused."""
    return sum(
        tenant_setting_set(tenant=tenant, key=key, value=value, actor=actor)
        for key, value in values.items()
    )
