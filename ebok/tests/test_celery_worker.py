"""A task queued in tenant A runs in schema A on a real Celery worker over real Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from tenant_schemas_celery.app import CeleryApp

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db,
    pytest.mark.skipif(not REDIS_URL, reason="no Redis: scripts/services.sh found none to start"),
]


@pytest.fixture(scope="module")
def worker(tenants, django_db_blocker):
    """A real worker process on the test database (the session's committed tenants)."""
    # The configured server (TCP or the embedded one's socket), with the test database's name.
    configured = urlsplit(os.environ.get("DATABASE_URL") or settings.DATABASE_URL)
    url = urlunsplit(configured._replace(path="/" + settings.DATABASES["default"]["NAME"]))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ebok.settings.dev",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": "worker-test-secret",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ebok",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            "celery",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # A client app of the same tenant-aware class, so the test process's global app (eager in
    # tests) is left alone; it stamps the queuing schema on each message exactly as the real one.
    client = CeleryApp(
        "ebok-test-client", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False
    )
    client.conf.update(task_always_eager=False, task_serializer="json", accept_content=["json"])
    client.connection_for_write().ensure_connection(max_retries=3)
    client.control.purge()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("worker exited: " + proc.stdout.read().decode(errors="replace")[-2000:])
        if client.control.ping(timeout=0.5):
            break
    else:
        proc.kill()
        pytest.fail("worker did not answer within 30 s")
    yield client
    proc.terminate()
    proc.wait(timeout=20)


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
