from celery import shared_task

from core.outbox import services


@shared_task(
    name="core.outbox.tasks.outbox_deliver",
    bind=True,
    max_retries=5,
    acks_late=True,
)
def outbox_deliver(self, *, message_id: int) -> bool:
    """Deliver one outbox message; retried with exponential backoff on transport errors."""
    try:
        return services.message_deliver(message_id=message_id)
    except services.DeliveryFailed as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task(name="core.outbox.tasks.outbox_flush")
def outbox_flush() -> int:
    """Re-queue messages that stayed pending (e.g. the broker was down when they were written).
    Runs per tenant from beat through ebok.tasks.run_for_every_tenant."""
    ids = services.outbox_pending_ids()
    for message_id in ids:
        outbox_deliver.delay(message_id=message_id)
    return len(ids)
