"""A tenant's life after provisioning: publication, suspension and reactivation, custom domains,
invitations resent, exports and deletion."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.access import Actor
from core.errors import ApplicationError, CoreErrorCode
from core.schemas import use_public_schema
from tenants import backup, sealed_files
from tenants.errors import TenantErrorCode
from tenants.models import Domain, ExportPurpose, PlatformEvent, Tenant
from tenants.provisioning.common import DOMAIN_RE, _administrator_hooks, platform_event
from tenants.services import (
    tenant_status_set,
)


@transaction.atomic
def tenant_publish(*, tenant: Tenant, actor: Actor | str) -> Tenant:
    """Open an onboarding tenant to its customers."""
    if tenant.status != Tenant.Status.ONBOARDING:
        raise ApplicationError(
            _("Only a portal being set up can be published."),
            code=TenantErrorCode.WRONG_STATUS,
            status=409,
        )
    tenant = tenant_status_set(tenant=tenant, status=Tenant.Status.ACTIVE, actor=actor)
    tenant.published_at = timezone.now()
    tenant.save(update_fields=["published_at"])
    platform_event(PlatformEvent.Kind.TENANT_PUBLISHED, tenant=tenant, actor=actor)
    return tenant


@transaction.atomic
def tenant_suspend(*, tenant: Tenant, actor: Actor | str, reason: str) -> Tenant:
    """Shut a portal: its customers and staff are refused until it is reactivated; the reason
    goes to the platform's audit log."""
    if not reason.strip():
        raise ApplicationError(_("Please give the reason."), code=CoreErrorCode.REASON_REQUIRED)
    if tenant.is_public or tenant.is_suspended:
        raise ApplicationError(
            _("This tenant cannot be suspended."), code=TenantErrorCode.WRONG_STATUS, status=409
        )
    tenant = tenant_status_set(tenant=tenant, status=Tenant.Status.SUSPENDED, actor=actor)
    platform_event(
        PlatformEvent.Kind.TENANT_SUSPENDED, tenant=tenant, actor=actor, reason=reason.strip()
    )
    return tenant


@transaction.atomic
def tenant_reactivate(*, tenant: Tenant, actor: Actor | str) -> Tenant:
    """Back to where it was: active when it had been published, onboarding otherwise."""
    if not tenant.is_suspended:
        raise ApplicationError(
            _("This tenant is not suspended."), code=TenantErrorCode.WRONG_STATUS, status=409
        )
    # Back to the status it had when it was suspended.
    change = tenant.setting_changes.filter(key="status", new_value=Tenant.Status.SUSPENDED).first()
    previous = change.old_value if change is not None else None
    status = (
        previous
        if previous in (Tenant.Status.ONBOARDING, Tenant.Status.ACTIVE)
        else Tenant.Status.ACTIVE
    )
    tenant = tenant_status_set(tenant=tenant, status=status, actor=actor)
    platform_event(PlatformEvent.Kind.TENANT_REACTIVATED, tenant=tenant, actor=actor)
    return tenant


@transaction.atomic
def tenant_custom_domain_add(*, tenant: Tenant, domain: str, actor: Actor | str) -> Domain:
    domain = domain.strip().lower().rstrip(".")
    if (
        not DOMAIN_RE.match(domain)
        or domain.endswith("." + settings.PLATFORM_DOMAIN)
        or domain == settings.PLATFORM_DOMAIN
    ):
        raise ApplicationError(
            _("Enter a domain name such as ebok.example.pl (not a subdomain of the platform)."),
            code=TenantErrorCode.INVALID_DOMAIN,
            extra={"fields": {"domain": [_("Enter a valid domain name.")]}},
        )
    if Domain.objects.filter(domain=domain).exists():
        raise ApplicationError(
            _("This domain already belongs to a portal."),
            code=TenantErrorCode.DOMAIN_TAKEN,
            status=409,
        )
    created = Domain.objects.create(domain=domain, tenant=tenant, is_primary=False)
    platform_event(PlatformEvent.Kind.DOMAIN_ADDED, tenant=tenant, actor=actor, domain=domain)
    return created


def tenant_invitation_resend(*, tenant: Tenant, actor: Actor | str, base_url: str) -> int:
    """A new set-password link for each administrator who has not logged in yet."""
    with tenant_context(tenant), transaction.atomic():
        sent = _administrator_hooks().resend(tenant=tenant, base_url=base_url)
    if not sent:
        raise ApplicationError(
            _(
                "Every administrator of this portal has already logged in; they can reset "
                "their password themselves."
            ),
            code=TenantErrorCode.NOTHING_TO_RESEND,
            status=409,
        )
    with transaction.atomic():
        platform_event(PlatformEvent.Kind.INVITATION_RESENT, tenant=tenant, actor=actor, count=sent)
    return sent


def export_directory() -> Path:
    path = Path(settings.TENANT_EXPORT_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


REASON_MIN, REASON_MAX = 10, 500


def tenant_export_request(*, tenant: Tenant, actor: Actor | str, purpose: str, reason: str) -> None:
    """Check an operator's export before it is queued: a documented purpose, a reason (a ticket,
    the organisation's letter), a key to encrypt to and the tool that does it. Nothing is queued
    or recorded when one is missing."""
    problems: dict[str, list[str]] = {}
    if purpose not in ExportPurpose.values:
        problems["purpose"] = [_("Choose the purpose of the export.")]
    reason = reason.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        problems["reason"] = [
            _("Give the reason in %(low)s to %(high)s characters (e.g. the request's number).")
            % {"low": REASON_MIN, "high": REASON_MAX}
        ]
    if problems:
        raise ApplicationError(
            next(iter(problems.values()))[0],
            code=CoreErrorCode.REASON_REQUIRED if "reason" in problems else CoreErrorCode.INVALID,
            extra={"fields": problems},
        )
    if tenant.is_public:
        raise ApplicationError(
            _("The platform itself cannot be exported."), code=TenantErrorCode.WRONG_STATUS
        )
    sealed_files.recipients()
    sealed_files.tool()


def tenant_export(
    *,
    tenant: Tenant,
    actor: Actor | str,
    target: Path | None = None,
    purpose: str = "",
    reason: str = "",
    encrypt: bool | None = None,
) -> Path:
    """The tenant's schema (structure and data), row and hosts as an SQL file in the export
    directory (or ``target``): psql restores it into any PostgreSQL, ``tenant_restore`` into a
    platform. Seconds at thousands of tenants (tenants.backup).

    A file in the export directory is always encrypted to ``EXPORT_RECIPIENTS``
    (tenants.sealed_files): the folder holds no customer's data in the clear. A ``target``
    chosen on the server's shell (a drill, a copy piped elsewhere) is plain unless ``encrypt``.
    The platform's log records who, for what purpose and why."""
    if tenant.is_public:
        raise ApplicationError(
            _("The platform itself cannot be exported."), code=TenantErrorCode.WRONG_STATUS
        )
    encrypt = target is None if encrypt is None else encrypt
    keys = sealed_files.recipients() if encrypt else None
    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")  # as the console shows times
    suffix = ".sql" + (sealed_files.SUFFIX if encrypt else "")
    target = target or export_directory() / f"{tenant.slug}-{stamp}{suffix}"
    try:
        manifest = backup.schema_dump(tenant, target, sealed_to=keys)
    except FileNotFoundError as exc:  # the DDL needed pg_dump, and there is none
        target.unlink(missing_ok=True)
        raise ApplicationError(
            _("The export tool (pg_dump) is not installed on this server."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
        ) from exc
    except Exception:
        target.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        platform_event(
            PlatformEvent.Kind.TENANT_EXPORTED,
            tenant=tenant,
            actor=actor,
            file=target.name,
            bytes=target.stat().st_size,
            rows=sum(t["rows"] for t in manifest["tables"]),
            purpose=purpose,
            reason=reason.strip(),
            encrypted_to=[k[:12] + "…" + k[-6:] for k in keys or ()],
        )
    return target


def tenant_restore(
    *,
    source: Path,
    actor: Actor | str,
    trust_file_ddl: bool = False,
    identity: Path | None = None,
) -> Tenant:
    """A tenant back from its export (tenants.backup.schema_restore), recorded in the platform's
    log; an encrypted export is opened with the private key in ``identity``."""
    with sealed_files.opened(source, identity) as plain, transaction.atomic():
        tenant = backup.schema_restore(plain, trust_file_ddl=trust_file_ddl)
        platform_event(
            PlatformEvent.Kind.TENANT_RESTORED, tenant=tenant, actor=actor, file=source.name
        )
    return tenant


def tenant_exports(*, tenant: Tenant) -> list[Path]:
    folder = export_directory()
    found = [*folder.glob(f"{tenant.slug}-*.sql"), *folder.glob(f"{tenant.slug}-*.sql.age")]
    return sorted(found, key=lambda p: p.name, reverse=True)


def tenant_export_download(*, tenant: Tenant, name: str, actor: Actor | str) -> Path | None:
    """One of the tenant's exports, its download recorded in the platform's log (None: no such
    file)."""
    match = next((p for p in tenant_exports(tenant=tenant) if p.name == name), None)
    if match is not None:
        with transaction.atomic():
            platform_event(
                PlatformEvent.Kind.TENANT_EXPORT_DOWNLOADED,
                tenant=tenant,
                actor=actor,
                file=match.name,
                encrypted=match.suffix == sealed_files.SUFFIX,
            )
    return match


@transaction.atomic
def tenant_delete(*, tenant: Tenant, confirmation: str, actor: Actor | str) -> None:
    """Delete a tenant: its schema, hosts and configuration. The operator must type the tenant's
    subdomain; the removal stays in the platform's log (its exports stay in the export folder)."""
    if tenant.is_public:
        raise ApplicationError(
            _("The platform itself cannot be deleted."), code=TenantErrorCode.WRONG_STATUS
        )
    if confirmation.strip().lower() != tenant.slug:
        raise ApplicationError(
            _("Type the portal's subdomain (%(slug)s) to confirm the deletion.")
            % {"slug": tenant.slug},
            code=TenantErrorCode.CONFIRMATION_MISMATCH,
            extra={"fields": {"confirmation": [_("This does not match the subdomain.")]}},
        )
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    platform_event(
        PlatformEvent.Kind.TENANT_DELETED,
        tenant=None,
        actor=actor,
        slug=locked.slug,
        name=locked.name,
        schema=locked.schema_name,
        exports=[p.name for p in tenant_exports(tenant=locked)],
    )
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this transaction must run before tables are dropped.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    locked.delete(force_drop=True)
    use_public_schema()
