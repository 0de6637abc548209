"""A plain Django setup without tenancy: the same view and table (reached through a fixed
search_path), Django's standard middleware, persistent connections."""

from ebok.settings.base import BASE_DIR, env

SECRET_KEY = "bench-plain-secret-key-bench-plain-secret-key-bench-plain"
DEBUG = False
ALLOWED_HOSTS = [".localhost", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    # identity's models (the user) stand on django-otp's devices
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # identity registers its registration flows when it is ready, and they name the tenant
    # model: the apps are installed (no table of theirs is read), the routing is not
    "tenants",
    "core",
    "core.outbox",
    "identity",
]
TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
AUTH_USER_MODEL = "identity.User"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bench.urls_plain"
_db = env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ebok")
_db["NAME"] = env("BENCH_DB", default="ebok_bench")
_db["CONN_MAX_AGE"] = 600
_db["CONN_HEALTH_CHECKS"] = True  # as in the platform's settings
_db["OPTIONS"] = {"options": "-c search_path=bench,public"}
DATABASES = {"default": _db}
USE_TZ = True
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English"), ("uk", "Українська")]
LOCALE_PATHS = [BASE_DIR / "ebok" / "locale"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
