"""Tests: real PostgreSQL (DATABASE_URL, default the local server), Redis when REDIS_URL is set."""

from ebok.settings.base import *  # noqa: F403
from ebok.settings.base import BASE_DIR, database_from_url, env

SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-django-checks"
DEBUG = False
PLATFORM_PORT = ""
PLATFORM_URL_SCHEME = "http"
DATABASE_URL = env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ebok")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests choose eager or a real worker explicitly; by default tasks run in process.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ebok-test",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    "platform": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ebok-test",
        "KEY_PREFIX": "platform",
    },
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = BASE_DIR / "ebok" / "static"  # whitenoise wants an existing directory
TENANT_REGISTRY_CHECK_SECONDS = 0.0  # tests see every change at once

# The SMSAPI simulator listens on loopback (notifications' tests and benchmark).
SMS_SIMULATOR_HOSTS = ["127.0.0.1", "localhost"]
