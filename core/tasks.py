from celery import shared_task

from core.throttling import counters_purge


@shared_task(name="core.tasks.ratecounter_purge")
def ratecounter_purge() -> int:
    """Delete throttling windows older than a day (runs per tenant from beat)."""
    return counters_purge()
