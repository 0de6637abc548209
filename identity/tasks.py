from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from identity.models import RateCounter


@shared_task(name="identity.tasks.ratecounter_purge")
def ratecounter_purge() -> int:
    """Delete throttling windows older than a day (runs per tenant from beat)."""
    deleted, _rows = RateCounter.objects.filter(
        window_start__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return deleted
