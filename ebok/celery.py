"""The one Celery app. ``CeleryApp`` from tenant-schemas-celery stamps every task with the schema
that queued it and switches the worker's connection to that schema before the task runs."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ebok.settings.dev")

app = CeleryApp("ebok")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    lambda: [
        "ebok",
        "core.outbox",
        "tenants",
        "notifications",
        "identity",
        "billing",
        "metering",
        "correspondence",
        "payments",
    ]
)
