"""Metering's periodic jobs; beat queues each once per active tenant (ebok.tasks)."""

from celery import shared_task

from metering import alerts


@shared_task(name="metering.tasks.alerts_detect_and_notify")
def alerts_detect_and_notify() -> dict:
    """Yesterday's unusual consumption, then the e-mails of every alert not told yet."""
    return {"found": alerts.alerts_detect(), "told": alerts.alerts_notify()}


@shared_task(name="metering.tasks.window_notices")
def window_notices() -> int:
    return alerts.window_notices_send()
