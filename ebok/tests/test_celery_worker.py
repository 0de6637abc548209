"""A task queued in tenant A runs in schema A on a real Celery worker over real Redis."""

import pytest
from django.db import connection

from conftest import TEST_REDIS_URL as REDIS_URL

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db,
    pytest.mark.skipif(not REDIS_URL, reason="no Redis: scripts/services.sh found none to start"),
]


@pytest.fixture(scope="module")
def worker(tenants, django_db_blocker):
    """A real worker process on the test database (the session's committed tenants)."""
    from conftest import CeleryWorker

    running = CeleryWorker().start()
    yield running.client
    running.stop()


def test_task_queued_in_tenant_a_runs_in_schema_a(tenants, worker):
    from conftest import SCHEMA_MARKER

    probe = "ebok.tasks.schema_probe"
    connection.set_tenant(tenants.a)
    result_a = worker.send_task(probe, kwargs={"marker": SCHEMA_MARKER})
    connection.set_tenant(tenants.b)
    result_b = worker.send_task(probe, kwargs={"marker": SCHEMA_MARKER})
    connection.set_schema_to_public()
    result_public = worker.send_task(probe)
    assert result_a.get(timeout=30) == {"schema": "alpha", "matching_messages": 1, "retries": 0}
    # the next task on the same worker does not inherit A's schema
    assert result_b.get(timeout=30) == {"schema": "beta", "matching_messages": 0, "retries": 0}
    assert result_public.get(timeout=30)["schema"] == "public"


def test_periodic_fan_out_queues_one_task_per_active_tenant(tenants, worker):
    connection.set_schema_to_public()
    result = worker.send_task("ebok.tasks.run_for_every_tenant", args=("ebok.tasks.schema_probe",))
    queued = result.get(timeout=30)
    from tenants.selectors import active_tenant_schemas

    assert queued == len(active_tenant_schemas())


def test_a_retried_task_keeps_its_tenant_and_the_next_task_does_not_inherit_it(tenants, worker):
    """T3: the retry is a new message; it still carries and runs in the schema of A, and a plain
    task after it on the same (solo) worker runs in public."""
    from conftest import SCHEMA_MARKER

    probe = "ebok.tasks.schema_probe"
    connection.set_tenant(tenants.a)
    retried = worker.send_task(probe, kwargs={"marker": SCHEMA_MARKER, "retry_once": True})
    connection.set_schema_to_public()
    assert retried.get(timeout=30) == {"schema": "alpha", "matching_messages": 1, "retries": 1}
    assert worker.send_task(probe).get(timeout=30)["schema"] == "public"
