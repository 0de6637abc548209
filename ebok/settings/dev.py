"""Development: DEBUG on, and an embedded PostgreSQL when DATABASE_URL is unset."""

from ebok.settings.base import *  # noqa: F403
from ebok.settings.base import BASE_DIR, database_from_url, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production")
PLATFORM_PORT = env("PLATFORM_PORT", default="8000")
PLATFORM_URL_SCHEME = env("PLATFORM_URL_SCHEME", default="http")
# `make run` starts the gateways' simulators here (scripts/run.sh); the demo tenants pay there.
PAYMENT_SIMULATOR_URL = env("PAYMENT_SIMULATOR_URL", default="http://127.0.0.1:8301")
SMS_SIMULATOR_HOSTS = ["127.0.0.1", "localhost"]

if not DATABASE_URL:  # noqa: F405
    from ebok.embedded import ensure_embedded_database

    DATABASE_URL = ensure_embedded_database(BASE_DIR / ".data" / "pg")
    DATABASES = {"default": database_from_url(DATABASE_URL)}

EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if not env("EMAIL_URL", default="")
    else EMAIL_BACKEND
)  # noqa: F405
