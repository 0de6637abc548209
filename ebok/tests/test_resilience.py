"""What keeps working when a part is down (SECURITY.md R3, audit findings 2 and 3): with Redis
configured but not answering, tenants are served, customers log in and see their pages, and a
change to a tenant still reaches every process (through the database's generation)."""

import socket
import threading

import pytest
from django.core.cache import caches

from identity.services import user_create
from tenants import registry
from tenants.models import Tenant
from tenants.services import tenant_status_set

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """Both caches point at a Redis that refuses connections (as when Redis is stopped)."""
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    settings.CACHES = {
        "default": {
            **down,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        },
        "platform": {**down, "KEY_PREFIX": "platform"},
    }
    with pytest.raises(Exception):  # noqa: B017,PT011 - any client error proves it is down
        caches["platform"].get("probe")
    return settings


def test_with_redis_down_a_customer_logs_in_and_reads_pages(client, tenants, redis_down):
    from django.db import connection

    connection.set_tenant(tenants.a)
    user_create(login="L0000099", password="RyBa18$05", customer_symbol="L0000099")
    connection.set_schema_to_public()

    assert client.get("/login/", HTTP_HOST=HOST).status_code == 200
    logged_in = client.post(
        "/login/", {"login": "L0000099", "password": "RyBa18$05"}, HTTP_HOST=HOST
    )
    assert logged_in.status_code == 302
    assert client.get("/account/", HTTP_HOST=HOST).status_code == 200
    assert client.get("/api/v1/tenant", HTTP_HOST=HOST).status_code == 200
    assert client.get("/", HTTP_HOST="nieznany.localhost").status_code == 404


def test_with_redis_down_a_suspension_reaches_the_other_workers(
    client, tenants, redis_down, django_capture_on_commit_callbacks
):
    """Another worker (a thread with its own registry and connection) has served alpha; the
    tenant is suspended here while Redis is down; that worker sees a new generation."""
    seen = {}

    def other_worker(step):
        try:
            seen[step] = registry.current_generation()
            registry.tenant_for_host(HOST)
            seen[f"{step}-known"] = registry.is_tenant_host(HOST)
        finally:
            from django.db import connection

            connection.close()

    def run_in_other_worker(step):
        thread = threading.Thread(target=other_worker, args=(step,))
        thread.start()
        thread.join(10)

    run_in_other_worker("before")
    assert seen["before-known"]
    with django_capture_on_commit_callbacks(execute=True):
        tenant_status_set(tenant=Tenant.objects.get(pk=tenants.a.pk), status="suspended")
    run_in_other_worker("after")
    assert seen["after"] != seen["before"]

    # And this process, too, serves the suspended page at once.
    assert client.get("/login/", HTTP_HOST=HOST).status_code == 503


def test_a_generation_bumped_while_redis_was_down_is_corrected_when_it_returns(
    tenants, settings, django_capture_on_commit_callbacks
):
    cache = caches["platform"]
    cache.set(registry.GENERATION_KEY, "stale", timeout=None)
    registry.forget_everything()
    assert registry.current_generation() == "stale"  # the cache is trusted while it answers
    registry._registry.cache_failed = True  # as after a failed cache call in this process
    truth = registry._database_generation()
    assert registry.current_generation() == truth
    assert cache.get(registry.GENERATION_KEY) == truth


def test_with_the_broker_down_a_password_reset_is_still_sent(
    client, tenants, settings, django_capture_on_commit_callbacks
):
    """Work that is not stored anywhere (the reset e-mail) runs in the web process when the
    broker does not take it, instead of being lost."""
    from django.db import connection

    from core.outbox.models import Message
    from ebok.celery import app

    connection.set_tenant(tenants.a)
    user_create(
        login="L0000098", password="RyBa18$05", email="l98@example.com", customer_symbol="L0000098"
    )
    connection.set_schema_to_public()
    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.task_publish_retry)

    def fresh_broker_pools():
        # The connection and producer pools are made for one broker URL: new ones for the next.
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.conf.task_publish_retry = False
    fresh_broker_pools()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/password/reset/", {"login": "L0000098"}, HTTP_HOST=HOST)
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.task_publish_retry = saved
        fresh_broker_pools()
    assert response.status_code == 200
    connection.set_tenant(tenants.a)
    assert Message.objects.filter(recipient="l98@example.com").count() == 1
