"""An organisation's signup: the request, the e-mailed confirmation, and provisioning the tenant
(resumed by a sweep when a worker is lost)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, tenant_context

from core.errors import ApplicationError
from core.outbox.services import email_enqueue
from core.schemas import use_public_schema
from tenants import policies
from tenants.errors import TenantErrorCode
from tenants.models import PlatformEvent, SignupRequest, Tenant
from tenants.presets import PRESET_FOR_KIND
from tenants.provisioning.common import (
    PLATFORM_TERMS_VERSION,
    SIGNUP_LINK_HOURS,
    _administrator_hooks,
    _hash,
    logger,
    platform_event,
)
from tenants.services import (
    slug_problem,
    tenant_create,
    tenant_setting_set,
)
from tenants.tasks import signup_provision_task


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
            template="signup_confirm",
            language=language,
            context={
                "greeting_name": request.admin_first_name,
                "organisation": request.organisation_name,
                "host": f"{slug}.{settings.PLATFORM_DOMAIN}",
                "hours": SIGNUP_LINK_HOURS,
                "link": f"{base_url}/signup/confirm/{token}/",
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
        use_public_schema()
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
        use_public_schema()
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
