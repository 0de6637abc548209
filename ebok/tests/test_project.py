"""Project-level properties: app placement, the stdlib `platform` module, deploy checks, logs."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from core.colours import contrast_ratio, darken_until_readable, readable_text_on
from core.logging import TenantContextFilter

ROOT = Path(__file__).resolve().parents[2]


def test_each_app_lives_where_its_config_says():
    shared, tenant = set(settings.SHARED_APPS), set(settings.TENANT_APPS)
    for name in (
        "ebok",
        "tenants",
        "identity",
        "core.outbox",
        "notifications",
        "billing",
        "metering",
        "correspondence",
        "payments",
    ):
        config = apps.get_app_config(name.rsplit(".", 1)[-1])
        expected = {"shared": (True, False), "tenant": (False, True), "both": (True, True)}[
            config.schema
        ]
        assert (name in shared, name in tenant) == expected, name


def test_stdlib_platform_module_is_not_shadowed():
    result = subprocess.run(
        [sys.executable, "-c", "import uuid, platform; print(platform.system())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "Linux"
    assert not (ROOT / "platform").exists()


def _production_env(**overrides) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ebok.settings.production",
        "SECRET_KEY": "x" * 20 + "production-check-secret-key-with-enough-entropy-1234567890",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ebok"),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "TOTP_ENCRYPTION_KEYS": "Tk3wDfqJmV0l9D2sS1c4n8uY6n5O7Qk3p2hX0a1b2cA=",
        "PLATFORM_DOMAIN": "ebok.example.com",
        **overrides,
    }
    return {name: value for name, value in env.items() if value is not None}


@pytest.mark.parametrize(
    "missing",
    [
        # Without Redis each gunicorn worker would keep its own cache and never see a tenant
        # suspended by another (audit finding 3).
        "REDIS_URL",
        # TOTP secrets are encrypted at rest under these keys (audit finding 11).
        "TOTP_ENCRYPTION_KEYS",
    ],
)
def test_production_refuses_to_start_without(missing):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(**{missing: None}),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_settings_pass_check_deploy():
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_log_lines_carry_the_tenant_and_never_a_pesel():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "match for %s failed", ("44051401359",), None
    )
    assert TenantContextFilter().filter(record)
    assert record.getMessage() == "match for 44********* failed"
    assert record.tenant == "public"


def test_brand_colours_always_get_readable_text():
    for colour in ("#ffff00", "#000080", "#f2b705", "#1d5c8c", "#777777"):
        assert contrast_ratio(colour, readable_text_on(colour)) >= 4.5
        assert contrast_ratio(darken_until_readable(colour), "#ffffff") >= 4.5


@pytest.mark.django_db
def test_development_server_answers_a_climbing_static_path_without_a_500(tenants, settings):
    """#12 item 12: runserver's own static handler answered 500 to /static/../x; the
    development server leaves static files to WhiteNoise, as production does."""
    from django.core.management import get_commands, load_command_class
    from django.test.client import RequestFactory

    settings.DEBUG = True  # as in development, where runserver serves static files
    command = load_command_class(get_commands()["runserver"], "runserver")
    options = vars(command.create_parser("manage.py", "runserver").parse_args([]))
    handler = command.get_handler(**options)  # as `manage.py runserver` makes it
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    statuses = []
    # The handler's signals would close the test's connection (its transaction holds the data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for path in ("/static/../x", "/static/..%2f..%2fsettings.py", "/static/ebok/css/app.css"):
            environ = RequestFactory(HTTP_HOST="alpha.localhost").get(path).environ
            handler(environ, lambda status, headers: statuses.append(int(status.split()[0])))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert statuses[0] in (400, 404)
    assert statuses[1] in (400, 404)
    assert statuses[2] == 200


def test_the_navigation_marks_one_link_as_the_current_page():
    """On /payments/pay/ the online payment's link is the current one, not also the payments
    received at /payments/; a page of no link marks none."""
    from ebok.context_processors import current_link

    urls = ["/invoices/", "/payments/", "/payments/pay/", "/meters/"]
    assert current_link("/payments/pay/", urls) == "/payments/pay/"
    assert current_link("/payments/", urls) == "/payments/"
    assert current_link("/payments/2026/", urls) == "/payments/"
    assert current_link("/meters/7/", urls) == "/meters/"
    assert current_link("/account/", urls) is None
