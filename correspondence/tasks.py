"""Correspondence's periodic jobs; beat queues each once per active tenant (ebok.tasks)."""

from celery import shared_task

from correspondence import services


@shared_task(name="correspondence.tasks.cases_daily")
def cases_daily() -> dict:
    """Answered cases without a reply closed; reminders of deadlines near or past."""
    return {"closed": services.cases_close_answered(), "reminded": services.case_reminders_send()}
