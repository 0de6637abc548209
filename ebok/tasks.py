"""Platform tasks: the per-tenant fan-out of periodic jobs, and a probe used by health checks."""

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context

from core.outbox.models import Message
from ebok.celery import app
from tenants.selectors import active_tenant_schemas


@shared_task(name="ebok.tasks.run_for_every_tenant")
def run_for_every_tenant(task_name: str, *args, **kwargs) -> int:
    """Queue ``task_name`` once in the schema of every active tenant; returns how many."""

    schemas = active_tenant_schemas()
    for schema_name in schemas:
        with schema_context(schema_name):
            app.send_task(task_name, args=args, kwargs=kwargs)
    return len(schemas)


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
