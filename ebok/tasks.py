"""Platform tasks: the per-tenant fan-out of periodic jobs, and a probe used by health checks."""

import logging

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context

from core.outbox.models import Message
from ebok.celery import app
from tenants.selectors import active_tenant_schemas

logger = logging.getLogger(__name__)


@shared_task(name="ebok.tasks.run_for_every_tenant")
def run_for_every_tenant(task_name: str, *args, **kwargs) -> int:
    """Queue ``task_name`` once in the schema of every active tenant, each a task of its own
    (one tenant's failure stops no other's job); returns how many were queued. A tenant whose
    task could not be queued is logged and the others are still queued."""

    queued = 0
    for schema_name in active_tenant_schemas():
        try:
            with schema_context(schema_name):
                app.send_task(task_name, args=args, kwargs=kwargs)
        except Exception:  # noqa: BLE001 - the next tenant's job must still be queued
            logger.exception("could not queue %s for %s", task_name, schema_name)
            continue
        queued += 1
    return queued


@shared_task(name="ebok.tasks.schema_probe", bind=True, max_retries=1)
def schema_probe(self, marker: str = "", retry_once: bool = False) -> dict:
    """Report the schema the task ran in and how many outbox messages carry ``marker`` there
    (so a test can tell the task really read that schema's tables); ``retry_once`` makes the
    first attempt retry, to show a retried task keeps its tenant."""

    if retry_once and self.request.retries == 0:
        raise self.retry(countdown=0)
    return {
        "schema": connection.schema_name,
        "matching_messages": Message.objects.filter(subject=marker).count() if marker else 0,
        "retries": self.request.retries,
    }
