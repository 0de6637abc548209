"""Payments' periodic jobs; beat queues each once per active tenant (ebok.tasks)."""

from celery import shared_task

from payments import services


@shared_task(name="payments.tasks.payments_daily_report")
def payments_daily_report() -> int:
    """Yesterday's online payments, told to staff."""
    return services.payments_daily_report()


@shared_task(name="payments.tasks.payments_reconcile")
def payments_reconcile() -> dict:
    """Payments whose notification is late or lost: the gateway is asked."""
    return services.payments_reconcile()
