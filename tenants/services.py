"""Writes to tenants: creation, status, domains, and the one audited path for every setting."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.access import Actor
from core.errors import ApplicationError
from tenants import policies
from tenants.errors import TenantErrorCode
from tenants.models import Domain, RetentionReport, SignupRequest, Tenant, TenantSettingChange
from tenants.presets import PRESET_FOR_KIND, preset
from tenants.template import current_template, migrations_fingerprint, schema_create_from_template

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "console",
        "static",
        "media",
        "mail",
        "public",
        "app",
        "status",
        "help",
        "docs",
        "ebok",
        "platform",
        "smtp",
        "ftp",
        "test",
        "dev",
        "tenant-template",  # schema tenant_template is where new schemas are modelled on
    }
)


def actor_description(actor: Actor | str | None) -> tuple[str, str]:
    if actor is None:
        return "system", settings.PUBLIC_SCHEMA_NAME
    if isinstance(actor, str):
        return actor, settings.PUBLIC_SCHEMA_NAME

    return f"{actor.get_username()} (#{actor.pk})", getattr(connection, "schema_name", "")


def host_for_slug(slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def slug_problem(slug: str, *, held_by_signups: bool = False) -> ApplicationError | None:
    """Why ``slug`` cannot be a new tenant's subdomain, or None when it can. With
    ``held_by_signups`` a confirmed signup that is being set up holds its subdomain too."""

    if not SLUG_RE.match(slug) or "--" in slug or slug.replace("-", "").isdigit():
        return ApplicationError(
            _(
                "Use 1–63 lower-case letters, digits and hyphens; start and end with a letter "
                "or digit."
            ),
            code=TenantErrorCode.INVALID_SLUG,
        )
    if slug in RESERVED_SLUGS or slug == settings.PUBLIC_SCHEMA_NAME:
        return ApplicationError(
            _("This subdomain is reserved by the platform."), code=TenantErrorCode.SLUG_RESERVED
        )
    taken = (
        Tenant.objects.filter(slug=slug).exists()
        or Tenant.objects.filter(schema_name=slug.replace("-", "_")).exists()
        or Domain.objects.filter(domain=host_for_slug(slug)).exists()
        or (
            held_by_signups
            and SignupRequest.objects.filter(
                slug=slug,
                status__in=[SignupRequest.Status.QUEUED, SignupRequest.Status.PROVISIONING],
            ).exists()
        )
    )
    if taken:
        return ApplicationError(_("This subdomain is taken."), code=TenantErrorCode.SLUG_TAKEN)
    return None


@transaction.atomic
def tenant_create(
    *,
    name: str,
    slug: str,
    kind: str = Tenant.Kind.OTHER,
    preset_code: str | None = None,
    config: policies.TenantConfig | None = None,
    actor: Actor | str | None = None,
    status: str = Tenant.Status.ACTIVE,
    nip: str = "",
    regon: str = "",
    address: str = "",
) -> Tenant:
    """Create a tenant with its schema (migrated), its platform host and a preset configuration.
    ``preset_code`` defaults to the preset for the organisation's kind."""
    slug = slug.strip().lower()
    problem = slug_problem(slug)
    if problem is not None:
        raise problem
    code = preset_code or PRESET_FOR_KIND[kind]
    try:
        typed = (config or preset(code, name=name)).validate()
    except KeyError as exc:
        raise ApplicationError(_("Unknown preset."), code=TenantErrorCode.UNKNOWN_PRESET) from exc

    template = current_template()
    tenant = Tenant(
        name=name,
        slug=slug,
        schema_name=slug.replace("-", "_"),
        kind=kind,
        preset=code,
        config=policies.config_to_json(typed),
        status=status,
        nip=nip,
        regon=regon,
        address=address,
        # Replayed from the template or migrated on save: at the code's migrations either way.
        migrations_fingerprint=migrations_fingerprint(),
    )
    if template is not None:
        # Replay the migrated template (~10x faster than running every migration).
        tenant.auto_create_schema = False
    tenant.save()
    if template is not None:
        schema_create_from_template(tenant.schema_name, template)
    Domain.objects.create(domain=host_for_slug(slug), tenant=tenant, is_primary=True)
    actor_name, actor_schema = actor_description(actor)
    TenantSettingChange.objects.create(
        tenant=tenant,
        key="*",
        old_value=None,
        new_value={"preset": code},
        actor=actor_name,
        actor_schema=actor_schema,
    )
    return tenant


@transaction.atomic
def tenant_domain_add(*, tenant: Tenant, domain: str, primary: bool = False) -> Domain:
    return Domain.objects.create(domain=domain.strip().lower(), tenant=tenant, is_primary=primary)


@transaction.atomic
def tenant_status_set(*, tenant: Tenant, status: str, actor: Actor | str | None = None) -> Tenant:
    """Suspend or reactivate a tenant (audited; every process notices through the registry)."""
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if locked.status == status:
        return locked
    actor_name, actor_schema = actor_description(actor)
    TenantSettingChange.objects.create(
        tenant=locked,
        key="status",
        old_value=locked.status,
        new_value=status,
        actor=actor_name,
        actor_schema=actor_schema,
    )
    locked.status = status
    locked.save(update_fields=["status"])
    return locked


def _problem_path(key: str, problem: str) -> str:
    """The full path of a problem with setting ``key``: a type error inside the value is named
    relative to the key, while the configuration's own check names full paths (which may be a
    neighbour of the key: a new minimum length above the maximum is the maximum's problem)."""
    if not problem or problem == "value":
        return key
    group = key.partition(".")[0]
    if problem == group or problem.startswith(group + ".") or problem in policies.LIST_SETTINGS:
        return problem
    return f"{key}.{problem}"


@transaction.atomic
def tenant_setting_set(*, tenant: Tenant, key: str, value: Any, actor: Actor | str) -> bool:
    """The one write path for a tenant setting.

    ``key`` names a group (``branding``), a field in a group (``password_policy.min_length``) or
    a list (``modules``); ``value`` is JSON data. The value is type-checked, the whole
    configuration validated, nothing is written when it is unchanged, an audit row records the
    old and new value, and every process's copy is invalidated after commit. Returns whether
    anything changed.
    """
    try:
        expected = policies.setting_type(key)
    except KeyError as exc:
        raise ApplicationError(
            _("Unknown setting: %(key)s.") % {"key": key}, code=TenantErrorCode.UNKNOWN_SETTING
        ) from exc
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    current = policies.config_from_json(locked.config)
    try:
        typed = policies.load(expected, value)
        updated = policies.with_setting(current, key, typed).validate()
    except policies.PolicyError as exc:
        raise ApplicationError(
            _("The setting cannot be saved."),
            code=TenantErrorCode.INVALID_SETTING,
            extra={"fields": {_problem_path(key, k): v for k, v in exc.problems.items()}},
        ) from exc
    old = policies.dump(policies.get_setting(current, key))
    new = policies.dump(typed)
    if old == new:
        return False
    actor_name, actor_schema = actor_description(actor)
    TenantSettingChange.objects.create(
        tenant=locked,
        key=key,
        old_value=old,
        new_value=new,
        actor=actor_name,
        actor_schema=actor_schema,
    )
    locked.config = policies.config_to_json(updated)
    locked.save(update_fields=["config"])
    return True


def retention_report_record(*, tenant: Tenant, ran_on, report: dict[str, dict]) -> None:
    """The operators' copy of a tenant's nightly retention run (the registry's report per
    holding, summed per rule); a second run the same day adds its counts to the day's."""
    rules: dict[str, int] = {}
    for entry in report.values():
        rules[entry["rule"]] = rules.get(entry["rule"], 0) + entry["deleted"]
    deleted = sum(rules.values())
    blocked = sum(entry.get("blocked", 0) for entry in report.values())
    with transaction.atomic():
        row, created = RetentionReport.objects.select_for_update().get_or_create(
            tenant=tenant,
            ran_on=ran_on,
            defaults={"deleted": deleted, "blocked": blocked, "rules": rules},
        )
        if not created:
            for code, count in rules.items():
                row.rules[code] = row.rules.get(code, 0) + count
            row.deleted += deleted
            row.blocked = blocked
            row.save(update_fields=["rules", "deleted", "blocked", "finished_at"])
