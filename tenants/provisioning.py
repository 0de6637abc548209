"""Organisation signup, background provisioning and the operators' actions on a tenant.

The tenant's first account (its administrator) and the invitation e-mail belong to identity, which
registers them here (``register_administrator_hooks`` in its AppConfig.ready), so tenants never
imports identity.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import email_enqueue
from tenants import pgtools, policies
from tenants.errors import TenantErrorCode
from tenants.models import Domain, PlatformEvent, SignupRequest, Tenant
from tenants.presets import PRESET_FOR_KIND
from tenants.services import (
    actor_description,
    slug_problem,
    tenant_create,
    tenant_setting_set,
    tenant_status_set,
)
from tenants.tasks import signup_provision_task

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


def platform_event(kind: str, *, tenant: Tenant | None, actor: Any, **details) -> PlatformEvent:
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


# --- signup --------------------------------------------------------------------------------------


@transaction.atomic
def signup_request(
    *,
    organisation_name: str,
    kind: str,
    nip: str,
    address: str,
    admin_first_name: str,
    admin_last_name: str,
    admin_email: str,
    slug: str,
    preset: str | None = None,
    regon: str = "",
    language: str = "pl",
    ip: str | None = None,
    base_url: str,
) -> SignupRequest:
    """Record a signup (fields already validated by the form or serializer) and e-mail the link
    that confirms it. Nothing else is created until the link is followed."""

    slug = slug.strip().lower()
    problem = slug_problem(slug, held_by_signups=True)
    if problem is not None:
        raise ApplicationError(
            problem.message, code=problem.code, extra={"fields": {"slug": [problem.message]}}
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    request = SignupRequest.objects.create(
        public_id=uuid.uuid4(),
        organisation_name=organisation_name.strip(),
        kind=kind,
        preset=preset or PRESET_FOR_KIND[kind],
        nip=nip,
        regon=regon,
        address=address.strip(),
        admin_first_name=admin_first_name.strip(),
        admin_last_name=admin_last_name.strip(),
        admin_email=admin_email.strip().lower(),
        slug=slug,
        language=language,
        terms_version=PLATFORM_TERMS_VERSION,
        terms_accepted_at=now,
        ip=ip,
        token_hash=_hash(token),
        token_expires_at=now + timedelta(hours=SIGNUP_LINK_HOURS),
    )
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        email_enqueue(
            to=request.admin_email,
            template="notice",
            language=language,
            context={
                "title": _("Confirm your e-BOK signup"),
                "greeting_name": request.admin_first_name,
                "text": _(
                    "You asked to open an e-BOK for %(organisation)s at %(host)s. Open the link "
                    "below to confirm your e-mail address; we will then set the portal up. The "
                    "link expires in %(hours)s hours. If you did not ask for this, ignore this "
                    "message."
                )
                % {
                    "organisation": request.organisation_name,
                    "host": f"{slug}.{settings.PLATFORM_DOMAIN}",
                    "hours": SIGNUP_LINK_HOURS,
                },
                "link": f"{base_url}/signup/confirm/{token}/",
                "link_label": _("Confirm the signup"),
            },
        )
    platform_event(
        PlatformEvent.Kind.SIGNUP_REQUESTED,
        tenant=None,
        actor=request.admin_email,
        slug=slug,
        signup=str(request.public_id),
    )
    return request


def signup_peek(*, token: str) -> SignupRequest:
    request = SignupRequest.objects.filter(token_hash=_hash(token)).first()
    if request is None or (
        request.status == SignupRequest.Status.AWAITING_CONFIRMATION
        and request.token_expires_at <= timezone.now()
    ):
        raise ApplicationError(
            _("This link has expired. Please sign up again."),
            code=TenantErrorCode.LINK_EXPIRED,
            status=404,
        )
    return request


def signup_confirm(*, token: str, tenant_base_url_for: Callable[[str], str]) -> SignupRequest:
    """Confirm the e-mail address and queue the provisioning. Following the link again shows the
    same request (it is not an error to press the button twice)."""
    with transaction.atomic():
        request = signup_peek(token=token)
        request = SignupRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != SignupRequest.Status.AWAITING_CONFIRMATION:
            return request
        problem = slug_problem(request.slug, held_by_signups=True)
        if problem is not None:
            request.status = SignupRequest.Status.FAILED
            request.error = str(problem.message)
            request.confirmed_at = timezone.now()
            request.save(update_fields=["status", "error", "confirmed_at"])
            return request
        request.status = SignupRequest.Status.QUEUED
        request.confirmed_at = timezone.now()
        request.save(update_fields=["status", "confirmed_at"])
        platform_event(
            PlatformEvent.Kind.SIGNUP_CONFIRMED,
            tenant=None,
            actor=request.admin_email,
            slug=request.slug,
            signup=str(request.public_id),
        )
        public_id, base_url = str(request.public_id), tenant_base_url_for(request.slug)
        transaction.on_commit(lambda: _queue_provisioning(public_id, base_url))
    return request


def _queue_provisioning(public_id: str, base_url: str) -> None:

    try:
        signup_provision_task.delay(public_id=public_id, base_url=base_url)
    except Exception:  # noqa: BLE001 - the broker being down must not fail the confirmation
        logger.warning("signup %s: could not queue provisioning; the sweep job will", public_id)


def _progress(request: SignupRequest, step: int, **changes) -> None:
    """Record a step in its own transaction, so the status page sees it at once."""
    changes["step"] = step
    with transaction.atomic():
        SignupRequest.objects.filter(pk=request.pk).update(**changes)
    for key, value in changes.items():
        setattr(request, key, value)


def signup_provision(*, public_id: str, base_url: str) -> SignupRequest:
    """Set up the tenant of a confirmed signup: schema (tenant_create), preset chosen by the
    organisation, contact and payee data, the administrator's account and invitation.
    Safe to run twice: a finished request is left alone, a created tenant is reused."""
    with transaction.atomic():
        request = SignupRequest.objects.select_for_update().get(public_id=public_id)
        if request.status not in (SignupRequest.Status.QUEUED, SignupRequest.Status.PROVISIONING):
            return request
        request.status = SignupRequest.Status.PROVISIONING
        request.save(update_fields=["status"])
    actor = f"signup {request.admin_email}"
    try:
        _progress(request, SignupRequest.Step.SCHEMA)
        tenant = request.tenant
        if tenant is None:
            tenant = tenant_create(
                name=request.organisation_name,
                slug=request.slug,
                kind=request.kind,
                preset_code=request.preset,
                status=Tenant.Status.ONBOARDING,
                nip=request.nip,
                regon=request.regon,
                address=request.address,
                actor=actor,
            )
            _progress(request, SignupRequest.Step.SCHEMA, tenant=tenant)
        connection.set_schema_to_public()
        _progress(request, SignupRequest.Step.CONFIGURATION)
        # The organisation's data in the preset: two audited group writes.
        config = tenant.configuration
        branding = policies.dump(config.branding)
        branding.update(contact_email=request.admin_email, contact_address=request.address)
        tenant_setting_set(tenant=tenant, key="branding", value=branding, actor=actor)
        payee = policies.dump(config.payee)
        payee.update(name=request.organisation_name, nip=request.nip, address=request.address)
        tenant_setting_set(tenant=tenant, key="payee", value=payee, actor=actor)
        _progress(request, SignupRequest.Step.ADMINISTRATOR)
        tenant.refresh_from_db()
        with tenant_context(tenant):  # the tenant's branding in the invitation
            with transaction.atomic():
                _administrator_hooks().create(
                    tenant=tenant,
                    first_name=request.admin_first_name,
                    last_name=request.admin_last_name,
                    email=request.admin_email,
                    language=request.language,
                    base_url=base_url,
                )
        with transaction.atomic():
            platform_event(
                PlatformEvent.Kind.TENANT_PROVISIONED,
                tenant=tenant,
                actor=actor,
                signup=str(request.public_id),
            )
            _progress(
                request,
                SignupRequest.Step.DONE,
                status=SignupRequest.Status.READY,
                finished_at=timezone.now(),
            )
    except Exception as exc:  # noqa: BLE001 - recorded on the request and in the platform log
        connection.set_schema_to_public()
        message = exc.message if isinstance(exc, ApplicationError) else type(exc).__name__
        logger.exception("signup %s: provisioning failed", public_id)
        with transaction.atomic():
            _progress(
                request,
                request.step,
                status=SignupRequest.Status.FAILED,
                error=str(message)[:300],
                finished_at=timezone.now(),
            )
            platform_event(
                PlatformEvent.Kind.PROVISIONING_FAILED,
                tenant=request.tenant,
                actor="system",
                slug=request.slug,
                error=str(message)[:300],
            )
    return request


def signups_to_resume() -> list[SignupRequest]:
    """Confirmed signups whose provisioning never started or stopped half-way (worker lost)."""
    cutoff = timezone.now() - timedelta(minutes=5)
    return list(
        SignupRequest.objects.filter(
            status__in=[SignupRequest.Status.QUEUED, SignupRequest.Status.PROVISIONING],
            confirmed_at__lt=cutoff,
        )
    )


def signups_unconfirmed_purge(*, days: int = 7) -> int:
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _rows = SignupRequest.objects.filter(
        status=SignupRequest.Status.AWAITING_CONFIRMATION, token_expires_at__lt=cutoff
    ).delete()
    return deleted


# --- the tenant's lifecycle ----------------------------------------------------------------------


@transaction.atomic
def tenant_publish(*, tenant: Tenant, actor: Any) -> Tenant:
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
def tenant_suspend(*, tenant: Tenant, actor: Any, reason: str) -> Tenant:
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
def tenant_reactivate(*, tenant: Tenant, actor: Any) -> Tenant:
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
def tenant_custom_domain_add(*, tenant: Tenant, domain: str, actor: Any) -> Domain:
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


def tenant_invitation_resend(*, tenant: Tenant, actor: Any, base_url: str) -> int:
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


# --- export and removal --------------------------------------------------------------------------


def export_directory() -> Path:
    path = Path(settings.TENANT_EXPORT_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


def tenant_export(*, tenant: Tenant, actor: Any) -> Path:
    """The tenant's schema (structure and data) as a plain SQL dump in the export directory; the
    tenant's own tables only, so it restores into a fresh database next to a public schema."""
    if tenant.is_public:
        raise ApplicationError(
            _("The platform itself cannot be exported."), code=TenantErrorCode.WRONG_STATUS
        )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    target = export_directory() / f"{tenant.slug}-{stamp}.sql"
    try:
        result = pgtools.pg_dump("--schema", tenant.schema_name, "--file", str(target))
    except FileNotFoundError as exc:
        raise ApplicationError(
            _("The export tool (pg_dump) is not installed on this server."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
        ) from exc
    if result.returncode != 0:
        logger.error("export of %s failed: %s", tenant.slug, result.stderr[-500:])
        target.unlink(missing_ok=True)
        raise ApplicationError(
            _("The export failed; nothing was changed. Try again later."),
            code=TenantErrorCode.EXPORT_FAILED,
            status=503,
        )
    with transaction.atomic():
        platform_event(
            PlatformEvent.Kind.TENANT_EXPORTED,
            tenant=tenant,
            actor=actor,
            file=target.name,
            bytes=target.stat().st_size,
        )
    return target


def tenant_exports(*, tenant: Tenant) -> list[Path]:
    return sorted(export_directory().glob(f"{tenant.slug}-*.sql"), reverse=True)


@transaction.atomic
def tenant_delete(*, tenant: Tenant, confirmation: str, actor: Any) -> None:
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
    connection.set_schema_to_public()
