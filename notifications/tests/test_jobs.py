"""The periodic jobs' fan-out: one task per tenant."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_a_tenant_whose_job_cannot_be_queued_stops_no_other(tenants, monkeypatch):
    """The fan-out queues each tenant's job on its own: when one cannot be queued, the others
    still are (and each runs as a task of its own, so one failing stops none)."""
    from ebok import tasks

    sent = []

    def send_task(name, args=(), kwargs=None):
        if connection.schema_name == tenants.a.schema_name:
            raise ConnectionError("the broker hung up")
        sent.append((connection.schema_name, name))

    monkeypatch.setattr(tasks.app, "send_task", send_task)
    connection.set_schema_to_public()
    queued = tasks.run_for_every_tenant("notifications.tasks.digests_send")
    from tenants.selectors import active_tenant_schemas

    others = [s for s in active_tenant_schemas() if s != tenants.a.schema_name]
    assert queued == len(others)
    assert sorted(schema for schema, _name in sent) == sorted(others)
    assert tenants.b.schema_name in others
