"""Production: secrets from the environment, HTTPS everywhere, `check --deploy` clean."""

from django.core.exceptions import ImproperlyConfigured

from ebok.settings.base import *  # noqa: F403
from ebok.settings.base import env

DEBUG = False
if not SECRET_KEY or len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set (at least 50 random characters).")
if not DATABASES:  # noqa: F405
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
if not TOTP_ENCRYPTION_KEYS:  # noqa: F405
    raise ImproperlyConfigured(
        "TOTP_ENCRYPTION_KEYS must be set in production (Fernet keys, newest first; see "
        ".env.example for how to make one)."
    )
try:
    from cryptography.fernet import Fernet

    [Fernet(key) for key in TOTP_ENCRYPTION_KEYS]  # noqa: F405
except ValueError as exc:
    raise ImproperlyConfigured(
        "TOTP_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
    ) from exc
if not REDIS_URL:  # noqa: F405
    # Without Redis, tasks would run inside web requests and each gunicorn worker would keep
    # its own cache: refuse to start instead of serving half-working.
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production (Celery's broker and the shared cache)."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Host-only cookies with the __Host- prefix: never shared between tenants' hosts.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
