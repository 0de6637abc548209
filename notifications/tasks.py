from celery import shared_task

from notifications import services


@shared_task(name="notifications.tasks.digests_send")
def digests_send() -> int:
    """The daily digest of non-urgent notices, once the tenant's digest hour has come; run
    hourly per tenant (once a day per account: its key names the day)."""
    return services.digests_send()
