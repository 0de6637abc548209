"""Payments' periodic jobs; beat queues each once per active tenant (ebok.tasks)."""

from celery import shared_task

from payments import services


@shared_task(name="payments.tasks.payments_reconcile")
def payments_reconcile() -> dict:
    """Payments whose notification is late or lost: the gateway is asked."""
    return services.payments_reconcile()
