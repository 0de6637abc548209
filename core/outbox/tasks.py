from celery import shared_task

from core.outbox import services


@shared_task(name="core.outbox.tasks.outbox_deliver", acks_late=True)
def outbox_deliver(*, message_id: int) -> bool:
    """Deliver one outbox message. A failed attempt is retried after the message's backoff by
    the flush job (the schedule is in the row, so no retry is lost with a worker)."""
    return services.messages_deliver(message_ids=[message_id])["sent"] == 1


@shared_task(name="core.outbox.tasks.outbox_deliver_batch", acks_late=True)
def outbox_deliver_batch(*, message_ids: list[int]) -> dict:
    """Deliver many messages written together (a notice to a whole estate); failed ones wait
    for their backoff and the flush job."""
    return services.messages_deliver(message_ids=message_ids)


@shared_task(name="core.outbox.tasks.outbox_flush")
def outbox_flush() -> int:
    """Queue the messages whose time has come: after a failed attempt's backoff, after quiet
    hours or a full minute, or those the broker lost. Runs per tenant from beat through
    ebok.tasks.run_for_every_tenant."""
    ids = services.outbox_pending_ids()
    for start in range(0, len(ids), services.QUEUE_BATCH):
        outbox_deliver_batch.delay(message_ids=ids[start : start + services.QUEUE_BATCH])
    return len(ids)
