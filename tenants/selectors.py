"""Reads of the public schema's tenant data."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import schema_context
from psycopg import sql

from core.collation import in_language_order
from core.personal_data import holdings
from tenants import policies
from tenants.models import (
    ExportPurpose,
    PlatformEvent,
    RetentionReport,
    SignupRequest,
    Tenant,
    TenantSettingChange,
)


def active_tenant_schemas() -> list[str]:
    """Schemas whose jobs run: every tenant but the suspended ones (a tenant being set up needs
    its mail delivered)."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return list(
            Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
            .exclude(status=Tenant.Status.SUSPENDED)
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

    config = tenant.configuration
    language = translation.get_language() or "pl"  # the tenant's texts in the asker's language
    branding = policies.dump(config.branding, texts_in=language)
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
        "password_policy": policies.dump(config.password_policy, texts_in=language),
        "idle_timeout_seconds": config.session.idle_timeout_minutes * 60,
        "lockout_threshold": config.lockout.threshold,
    }


def signup_by_public_id(public_id) -> SignupRequest | None:
    try:
        return SignupRequest.objects.select_related("tenant").filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        return None


def signup_status(signup: SignupRequest, *, tenant_url_for) -> dict:
    """What the signup's status page and API show: never the applicant's personal data."""
    ready = signup.status == SignupRequest.Status.READY
    return {
        "id": str(signup.public_id),
        "status": signup.status,
        "status_label": str(signup.get_status_display()),
        "step": signup.step,
        "step_label": str(SignupRequest.Step(signup.step).label),
        "percent": signup.progress_percent,
        "finished": signup.status in (SignupRequest.Status.READY, SignupRequest.Status.FAILED),
        "error": signup.error if signup.status == SignupRequest.Status.FAILED else "",
        "subdomain": signup.slug,
        "portal_url": tenant_url_for(signup.slug) + "/" if ready else None,
    }


def _figures(schemas: list[str]) -> dict[str, dict]:
    """Customers, accounts, last login and storage of each schema, in one statement (counts,
    never rows: the console shows no customer data)."""
    if not schemas:
        return {}

    parts = [
        sql.SQL(
            "SELECT {name} AS schema_name, "
            "(SELECT count(*) FROM {schema}.billing_customer) AS customers, "
            "(SELECT count(*) FROM {schema}.identity_user) AS accounts, "
            "(SELECT max(last_login) FROM {schema}.identity_user) AS last_activity"
        ).format(name=sql.Literal(s), schema=sql.Identifier(s))
        for s in schemas
    ]
    storage = sql.SQL(
        "SELECT n.nspname, coalesce(sum(pg_total_relation_size(c.oid)), 0) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'm') GROUP BY n.nspname"
    )
    out: dict[str, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.connection))
        for name, customers, accounts, last_activity in cursor.fetchall():
            out[name] = {
                "customers": customers,
                "accounts": accounts,
                "last_activity": last_activity,
                "storage_bytes": 0,
            }
        cursor.execute(storage.as_string(cursor.connection), [schemas])
        for name, size in cursor.fetchall():
            out[name]["storage_bytes"] = int(size)
    return out


def _existing_schemas(schemas: list[str]) -> set[str]:

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [schemas])
        return {row[0] for row in cursor.fetchall()}


def tenant_console_list(*, query: str = "", status: str = "", limit: int = 100) -> list[dict]:
    """Tenants for the operators' console: matched on name, subdomain, NIP or a host, with
    their status and figures."""

    rows = Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).prefetch_related(
        "domains"
    )
    query = query.strip()
    if query:
        rows = rows.filter(
            Q(name__icontains=query)
            | Q(slug__icontains=query)
            | Q(nip__startswith=query.replace("-", "").replace(" ", ""))
            | Q(domains__domain__icontains=query)
        ).distinct()
    if status:
        rows = rows.filter(status=status)
    return tenant_console_rows(list(rows.order_by(*in_language_order("name"), "pk")[:limit]))


def tenant_console_rows(tenants: list[Tenant]) -> list[dict]:
    """Each tenant with its status, hosts and figures (schemas that are gone show none)."""
    present = _existing_schemas([t.schema_name for t in tenants])
    figures = _figures([t.schema_name for t in tenants if t.schema_name in present])
    empty = {"customers": None, "accounts": None, "last_activity": None, "storage_bytes": None}
    return [
        {
            "tenant": t,
            "id": t.pk,
            "name": t.name,
            "slug": t.slug,
            "kind": t.kind,
            "status": t.status,
            "preset": t.preset,
            "created_at": t.created_at,
            "domains": [d.domain for d in t.domains.all()],
            **figures.get(t.schema_name, empty),
        }
        for t in tenants
    ]


DETAIL_LABELS = {
    "reason": gettext_lazy("Reason"),
    "old": gettext_lazy("Before"),
    "new": gettext_lazy("After"),
    "domain": gettext_lazy("Domain"),
    "error": gettext_lazy("Error"),
    "sent": gettext_lazy("Sent"),
    "organisation": gettext_lazy("Organisation"),
    "email": gettext_lazy("E-mail"),
    "purpose": gettext_lazy("Purpose"),
    "file": gettext_lazy("File"),
    "bytes": gettext_lazy("Size (bytes)"),
    "rows": gettext_lazy("Rows"),
    "encrypted": gettext_lazy("Encrypted"),
    "encrypted_to": gettext_lazy("Encrypted to (public keys)"),
}
# Values shown in words rather than as their codes.
DETAIL_VALUES: dict[str, Callable[[], dict[str, str]]] = {
    "purpose": lambda: {code: str(label) for code, label in ExportPurpose.choices},
}


def _readable(details: dict) -> list[tuple[str, str]]:
    """An event's details as label and text pairs (JSON for nested values), never a Python
    dict printed onto the page."""
    out = []
    for key, value in (details or {}).items():
        if key in DETAIL_VALUES and isinstance(value, str):
            value = DETAIL_VALUES[key]().get(value, value)
        elif isinstance(value, bool):
            value = str(_("yes") if value else _("no"))
        out.append(
            (
                str(DETAIL_LABELS.get(key, key.replace("_", " "))),
                value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
            )
        )
    return out


def _change_row(change: TenantSettingChange) -> dict:
    """A configuration change as people read it: a status in words, the creation from a preset
    as such, a setting by its path with its values before and after."""
    row = {"at": change.changed_at, "tenant": change.tenant.slug, "actor": change.actor}
    statuses = dict(Tenant.Status.choices)
    if change.key == "status":
        row["kind"] = _("Status changed")
        row["details"] = [
            (
                str(gettext_lazy("Before")),
                str(statuses.get(str(change.old_value), change.old_value)),
            ),
            (
                str(gettext_lazy("After")),
                str(statuses.get(str(change.new_value), change.new_value)),
            ),
        ]
    elif change.key == "*":
        preset = (change.new_value or {}).get("preset", "")
        row["kind"] = _("Configuration created from preset %(preset)s") % {"preset": preset}
        row["details"] = []
    elif isinstance(change.old_value, dict) and isinstance(change.new_value, dict):
        # A group written whole (the office's settings pages): only what differs, field by field.
        row["kind"] = _("Setting changed: %(key)s") % {"key": change.key}
        row["details"] = [
            (
                f"{change.key}.{name}",
                f"{_shown(change.old_value.get(name))} → {_shown(change.new_value.get(name))}",
            )
            for name in sorted(set(change.old_value) | set(change.new_value))
            if change.old_value.get(name) != change.new_value.get(name)
        ]
    else:
        row["kind"] = _("Setting changed: %(key)s") % {"key": change.key}
        row["details"] = _readable({"old": change.old_value, "new": change.new_value})
    return row


def _shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def platform_audit_log(*, tenant: Tenant | None = None, limit: int = 200) -> list[dict]:
    """Platform events and configuration changes, newest first, as one list."""
    events = PlatformEvent.objects.select_related("tenant")
    changes = TenantSettingChange.objects.select_related("tenant")
    if tenant is not None:
        events = events.filter(tenant=tenant)
        changes = changes.filter(tenant=tenant)
    merged = [
        {
            "at": e.created_at,
            "kind": e.get_kind_display(),
            "tenant": e.tenant_slug,
            "actor": e.actor,
            "details": _readable(e.details),
        }
        for e in events[:limit]
    ] + [_change_row(c) for c in changes[:limit]]
    merged.sort(key=lambda row: row["at"], reverse=True)
    return merged[:limit]


def retention_overview(day: date | None = None) -> dict:
    """The nightly retention across tenants on ``day`` (default: the latest run): rows deleted
    per rule in all, each tenant's counts (most first), and the tenants whose jobs run but that
    reported nothing that day (a job that failed or never ran)."""
    day = day or RetentionReport.objects.aggregate(latest=Max("ran_on"))["latest"]
    if day is None:
        return {"day": None, "rows": [], "rules": [], "missing": [], "missing_count": 0}
    reports = RetentionReport.objects.filter(ran_on=day)
    totals: dict[str, int] = {}
    for rules in reports.values_list("rules", flat=True):
        for code, count in rules.items():
            totals[code] = totals.get(code, 0) + count
    names = {h.retention.code: str(h.retention.label) for h in holdings()}
    missing = (
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .exclude(status=Tenant.Status.SUSPENDED)
        .filter(created_at__date__lt=day)
        .exclude(retention_reports__ran_on=day)
        .order_by("slug")
    )
    return {
        "day": day,
        "rows": list(reports.select_related("tenant").order_by("-deleted", "tenant__slug")[:200]),
        "rules": sorted(
            ((code, names.get(code, code), count) for code, count in totals.items()),
            key=lambda rule: (-rule[2], rule[0]),
        ),
        "missing": list(missing.values_list("slug", flat=True)[:50]),
        "missing_count": missing.count(),
    }
