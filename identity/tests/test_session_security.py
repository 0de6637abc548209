"""Sessions (SECURITY.md S1, S5): logging in gives a new session id and a new CSRF token, and in
production the cookies are host-only, __Host- prefixed, Secure, HttpOnly and SameSite."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session

from identity.tests.conftest import login

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
ROOT = Path(__file__).resolve().parents[2]


def test_login_replaces_the_anonymous_session_and_the_csrf_token(client, customer):
    client.get("/login/", HTTP_HOST=HOST)
    anonymous = client.session  # a real anonymous session, saved in the tenant's schema
    anonymous["probe"] = "przed logowaniem"
    anonymous.save()
    before_id = anonymous.session_key
    before_csrf = client.cookies["csrftoken"].value
    assert Session.objects.filter(session_key=before_id).exists()

    assert login(client, HOST, "L0000001", "RyBa18$05").status_code == 302

    after_id = client.cookies["sessionid"].value
    assert after_id != before_id
    assert not Session.objects.filter(session_key=before_id).exists()  # the old id is gone
    assert client.cookies["csrftoken"].value != before_csrf


def test_production_cookies_are_host_only_secure_and_same_site(client, customer, settings):
    """The production settings' values (read from the module as production loads it), then the
    Set-Cookie headers a login answers with under them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ebok.settings.production",
        "SECRET_KEY": "s" * 64,
        "DATABASE_URL": "postgres://x@127.0.0.1:1/x",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "TOTP_ENCRYPTION_KEYS": "Tk3wDfqJmV0l9D2sS1c4n8uY6n5O7Qk3p2hX0a1b2cA=",
    }
    names = (
        "SESSION_COOKIE_NAME CSRF_COOKIE_NAME SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE "
        "SESSION_COOKIE_HTTPONLY SESSION_COOKIE_SAMESITE CSRF_COOKIE_SAMESITE "
        "SESSION_COOKIE_DOMAIN CSRF_COOKIE_DOMAIN SECURE_HSTS_SECONDS "
        "SECURE_HSTS_INCLUDE_SUBDOMAINS X_FRAME_OPTIONS"
    ).split()
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(repr([getattr(s, n) for n in {names!r}]))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    production = dict(zip(names, eval(result.stdout), strict=True))  # noqa: S307 - our own repr
    assert production == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_DOMAIN": None,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "X_FRAME_OPTIONS": "DENY",
    }
    for name, value in production.items():
        if name.startswith(("SESSION_COOKIE", "CSRF_COOKIE")):
            setattr(settings, name, value)
    response = client.post(
        "/login/", {"login": "L0000001", "password": "RyBa18$05"}, HTTP_HOST=HOST, secure=True
    )
    assert response.status_code == 302
    for cookie_name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = response.cookies[cookie_name]
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""  # host-only: never sent to another tenant's host
    assert response.cookies["__Host-sessionid"]["httponly"] is True
