"""Shared fixtures: two real tenant schemas (created once per session) and per-test hygiene."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection

from ebok.hosts import AllowedHosts
from tenants import registry

SCHEMA_MARKER = "committed-marker-of-alpha"


@dataclass
class TestTenants:
    public: object
    a: object
    b: object


@pytest.fixture(scope="session")
def tenants(django_db_setup, django_db_blocker) -> TestTenants:
    """Public tenant plus tenants "alpha" (preset A) and "beta" (preset C), each with its own
    migrated schema. Created once; each test's changes are rolled back by the db fixture."""
    from tenants.models import Tenant
    from tenants.services import tenant_create

    with django_db_blocker.unblock():
        call_command("bootstrap_platform", verbosity=0)
        public = Tenant.objects.get(schema_name="public")
        a = Tenant.objects.filter(slug="alpha").first() or tenant_create(
            name="Spółdzielnia Alfa", slug="alpha", kind="housing_cooperative", preset_code="A"
        )
        b = Tenant.objects.filter(slug="beta").first() or tenant_create(
            name="Beta Energia", slug="beta", kind="energy_seller", preset_code="C"
        )
        # A committed row that exists only in alpha's schema: processes outside the test's
        # transaction (a Celery worker) can tell which schema they read.
        from django_tenants.utils import schema_context

        from core.outbox.models import Message

        with schema_context(a.schema_name):
            Message.objects.get_or_create(
                subject=SCHEMA_MARKER,
                defaults={
                    "recipient": "marker@example.com",
                    "template": "-",
                    "language": "pl",
                    "body_text": "-",
                    "status": Message.Status.SENT,
                },
            )
    return TestTenants(public=public, a=a, b=b)


@pytest.fixture(autouse=True)
def _clean_process_state(settings):
    """Each test starts with an empty tenant registry, the public schema, and ALLOWED_HOSTS that
    know custom domains (Django's test setup replaces it with a plain list)."""
    settings.ALLOWED_HOSTS = AllowedHosts(
        [h for h in django_settings.ALLOWED_HOSTS if h != "testserver"]
    )
    registry.forget_everything()
    yield
    registry.forget_everything()
    connection.set_schema_to_public()


@pytest.fixture
def in_tenant():
    """Switch the connection to a tenant's schema for the rest of the test."""

    def _switch(tenant):
        connection.set_tenant(tenant)
        return tenant

    return _switch


@pytest.fixture
def set_config(tenants, django_capture_on_commit_callbacks):
    """Change tenant A's settings as an administrator would (``key=value`` pairs, ``__`` for a
    dot); the session's tenant object follows, and is put back after the test."""
    from tenants.services import tenant_setting_set

    original = tenants.a.config

    def _set(**values):
        for key, value in values.items():
            with django_capture_on_commit_callbacks(execute=True):
                tenant_setting_set(
                    tenant=tenants.a, key=key.replace("__", "."), actor="test", value=value
                )
        tenants.a.refresh_from_db(fields=["config"])
        tenants.a.__dict__.pop("_configuration", None)
        connection.set_tenant(tenants.a)

    yield _set
    tenants.a.config = original
    tenants.a.__dict__.pop("_configuration", None)


# --- browser tests: a live server in a thread and Debian's Chromium --------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tenants):
    httpd = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=True)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()
    _forget_throttles()


def _forget_throttles() -> None:
    """The rate counters a browser test's requests committed in the demo portals (a login from
    127.0.0.1 counts for the whole suite's, which would be refused as too many in five minutes:
    a throttle's own tests count in schemas that are rolled back)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from core.models import RateCounter
    from demo.portals.catalogue import DEMO_TENANTS
    from tenants.models import Tenant

    demo = [d.slug for d in DEMO_TENANTS]

    def run():
        try:
            schemas = Tenant.objects.filter(slug__in=demo).values_list("schema_name", flat=True)
            for schema in schemas:
                with schema_context(schema):
                    RateCounter.objects.all().delete()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/services.sh installs it")
        pytest.skip("Chromium is not installed (scripts/services.sh installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


# --- organisation signup (shared by the tenants and identity tests) ----------------------------

PLATFORM_HOST = "localhost"


def signup_form_data(**overrides) -> dict:
    data = {
        "organisation_name": "Spółdzielnia Mieszkaniowa Testowa",
        "kind": "housing_cooperative",
        "nip": "5260250274",
        "regon": "",
        "address": "ul. Próbna 1, 00-001 Warszawa",
        "admin_first_name": "Anna",
        "admin_last_name": "Zakładająca",
        "admin_email": "anna@smtestowa.example",
        "slug": "smtestowa",
        "preset": "",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def first_link(text: str) -> str:
    import re

    return re.search(r"https?://\S+", text).group(0)


@pytest.fixture
def public_schema(tenants):
    connection.set_schema_to_public()
    return tenants.public


@pytest.fixture
def provisioned(public_schema, client, django_capture_on_commit_callbacks):
    """A tenant made through the whole signup: form, e-mail link, confirmation, provisioning."""
    from core.outbox.models import Message
    from tenants.models import SignupRequest

    client.post("/signup/", signup_form_data(), HTTP_HOST=PLATFORM_HOST)
    mail = Message.objects.get(recipient="anna@smtestowa.example")
    token = first_link(mail.body_text).rstrip("/").rsplit("/", 1)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/signup/confirm/{token}/", HTTP_HOST=PLATFORM_HOST)
    connection.set_schema_to_public()
    return SignupRequest.objects.get(slug="smtestowa")


# --- a real Celery worker over real Redis, on the test database ----------------------------

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


class CeleryWorker:
    """A worker process (solo pool) on the session's test database, and a client app of the
    same tenant-aware class that stamps the queuing schema on each task as the real one does
    (the test process's own app stays eager). ``kill()`` is a SIGKILL; ``start()`` again after
    it is a restart."""

    def __init__(self, env: dict | None = None):
        from urllib.parse import urlsplit, urlunsplit

        from tenant_schemas_celery.app import CeleryApp

        configured = urlsplit(os.environ.get("DATABASE_URL") or django_settings.DATABASE_URL)
        url = urlunsplit(
            configured._replace(path="/" + django_settings.DATABASES["default"]["NAME"])
        )
        # A queue of this worker's own: no other worker (another test's, a benchmark's) can take
        # its tasks, nor it theirs.
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.env = {
            **os.environ,
            "CELERY_QUEUE": self.queue,
            "DJANGO_SETTINGS_MODULE": "ebok.settings.dev",
            "DATABASE_URL": url,
            "REDIS_URL": TEST_REDIS_URL,
            "DEBUG": "false",
            "SECRET_KEY": "worker-test-secret",
            **(env or {}),
        }
        self.proc = None
        self.client = CeleryApp(
            "ebok-test-client", broker=TEST_REDIS_URL, backend=TEST_REDIS_URL, set_as_current=False
        )
        self.client.conf.update(
            task_always_eager=False,
            task_serializer="json",
            accept_content=["json"],
            task_default_queue=self.queue,
        )
        self.client.connection_for_write().ensure_connection(max_retries=3)
        self.client.control.purge()

    def start(self) -> CeleryWorker:
        import subprocess
        import sys
        import time

        self.proc = subprocess.Popen(  # noqa: S603 - the project's own worker
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
                self.queue,
            ],
            cwd=django_settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    "worker exited: " + self.proc.stdout.read().decode(errors="replace")[-2000:]
                )
            if self.client.control.ping(timeout=0.5):
                return self
        self.proc.kill()
        pytest.fail("worker did not answer within 30 s")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
