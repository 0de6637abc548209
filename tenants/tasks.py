"""Celery entry points of the platform's tenants: provisioning a confirmed signup, and the sweep
that resumes signups whose worker was lost."""

from celery import shared_task
from django.conf import settings

from tenants.models import Tenant


@shared_task(name="tenants.tasks.signup_provision", acks_late=True)
def signup_provision_task(*, public_id: str, base_url: str) -> str:
    from tenants.provisioning import signup_provision  # noqa: PLC0415 - provisioning queues these tasks

    return signup_provision(public_id=public_id, base_url=base_url).status


@shared_task(name="tenants.tasks.signup_sweep")
def signup_sweep() -> int:
    from tenants.provisioning import signup_provision, signups_to_resume, tenant_base_url  # noqa: PLC0415 - provisioning queues these tasks

    pending = signups_to_resume()
    for request in pending:
        base_url = tenant_base_url(
            slug=request.slug, scheme=settings.PLATFORM_URL_SCHEME, port=settings.PLATFORM_PORT
        )
        signup_provision(public_id=str(request.public_id), base_url=base_url)
    return len(pending)


@shared_task(name="tenants.tasks.tenant_export", acks_late=True)
def tenant_export_task(*, tenant_id: int, actor: str, purpose: str = "", reason: str = "") -> str:
    """A schema dump can take minutes for a big tenant: never inside a web request."""
    from tenants.provisioning import tenant_export  # noqa: PLC0415 - provisioning queues these tasks

    tenant = Tenant.objects.get(pk=tenant_id)
    return tenant_export(tenant=tenant, actor=actor, purpose=purpose, reason=reason).name


@shared_task(name="tenants.tasks.signup_purge")
def signup_purge() -> int:
    """Forget signups that were never confirmed (their contact data) a week after the link
    expired."""
    from tenants.provisioning import signups_unconfirmed_purge  # noqa: PLC0415 - provisioning queues these tasks

    return signups_unconfirmed_purge()
