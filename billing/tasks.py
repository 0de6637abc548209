from celery import shared_task

from billing import access, reminders, services


@shared_task(name="billing.tasks.import_run", acks_late=True)
def import_run(*, job_id: int) -> None:
    """Run one ERP import job in its tenant's schema."""
    services.import_job_run(job_id=job_id)


@shared_task(name="billing.tasks.import_jobs_sweep")
def import_jobs_sweep() -> dict[str, int]:
    """Resume or fail the imports nobody is working on (runs per tenant from beat)."""
    return services.import_jobs_sweep()


@shared_task(name="billing.tasks.invoice_notices")
def invoice_notices() -> dict[str, int]:
    """New invoices, payments due soon and overdue ones, told once each (per tenant, daily)."""
    return reminders.invoice_notices_send()


@shared_task(name="billing.tasks.legal_titles_enforce")
def legal_titles_enforce() -> dict[str, int]:
    """Access ends with the legal title (per tenant, daily; nothing where the tenant's policy
    does not say so)."""
    return access.legal_titles_enforce()
