"""Settings shared by every environment. Everything machine-specific comes from the environment."""

from pathlib import Path

import environ

from ebok.hosts import AllowedHosts

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)

# The platform's root host; tenants answer at <slug>.<PLATFORM_DOMAIN> and at custom domains.
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost").lower()
PLATFORM_PORT = env("PLATFORM_PORT", default="")
# The local payment gateway simulator the demo tenants pay through (development only; empty:
# the demo tenants have no merchant account).
PAYMENT_SIMULATOR_URL = env("PAYMENT_SIMULATOR_URL", default="")
# The SMS provider's hosts a tenant's account may name (https only), and the loopback hosts of
# the local simulator where development and the tests allow them (never in production).
SMS_PROVIDER_HOSTS = env.list("SMS_PROVIDER_HOSTS", default=["api.smsapi.pl", "api.smsapi.com"])
SMS_SIMULATOR_HOSTS: list[str] = []
# Where KOD I on an invoice's copy leads: KSeF's production verification host, or its test
# host (https://qr-test.ksef.mf.gov.pl) for a tenant whose invoices are KSeF's test ones.
KSEF_QR_URL = env("KSEF_QR_URL", default="https://qr.ksef.mf.gov.pl").rstrip("/")
PAYMENT_SIMULATOR_MERCHANTS = Path(
    env(
        "PAYMENT_SIMULATOR_MERCHANTS",
        default=str(BASE_DIR / ".data" / "simulators" / "merchants.json"),
    )
)
# The scheme of links in e-mails sent by background jobs (requests use their own).
PLATFORM_URL_SCHEME = env("PLATFORM_URL_SCHEME", default="https")
# Hosts are the platform domain, its subdomains and every tenant's custom domain (read from the
# tenant registry, see ebok.hosts) plus anything extra given here.
ALLOWED_HOSTS = AllowedHosts(
    [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", *env.list("EXTRA_ALLOWED_HOSTS", default=[])]
)

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver leaves static files to WhiteNoise, as production does: Django's own static
    # handler answered 500 to a path such as /static/../x.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "ebok",
    "core.outbox",
    "identity",
    "demo",
]
TENANT_APPS = [
    "core",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core.outbox",
    "identity",
    "notifications",
    "billing",
    "metering",
    "correspondence",
    "payments",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "ebok.urls_public"
ROOT_URLCONF = "ebok.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "ebok.views.unknown_host"
# Issue `SET search_path` once per tenant switch, not once per cursor, and not at all when the
# persistent connection already has it (ebok.db_backend). Set TENANT_REUSE_SEARCH_PATH=false
# behind a transaction-mode pooler.
TENANT_LIMIT_SET_CALLS = True
TENANT_REUSE_SEARCH_PATH = env.bool("TENANT_REUSE_SEARCH_PATH", default=True)
# A persistent connection is closed after the request in which it served this many different
# schemas (a PostgreSQL backend keeps every touched tenant's catalogue, ~0.3 MB each). 0: never.
TENANT_CONNECTION_MAX_SCHEMAS = env.int("TENANT_CONNECTION_MAX_SCHEMAS", default=100)
# Seconds a process trusts its copy of the domain -> tenant map before checking the shared
# generation counter again (one cache read, no SQL): a change to a tenant, its domains or its
# configuration reaches every process within this time. 0 = check on every request.
TENANT_REGISTRY_CHECK_SECONDS = env.float("TENANT_REGISTRY_CHECK_SECONDS", default=1.0)
# Hosts (with their tenants and parsed configurations) each process keeps, least recently used
# first out: about 20 KB each (docs/benchmarks.md, the registry).
TENANT_REGISTRY_MAX_HOSTS = env.int("TENANT_REGISTRY_MAX_HOSTS", default=20000)

MIDDLEWARE = [
    "ebok.middleware.HealthCheckMiddleware",
    "ebok.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ebok.middleware.TenantLocaleMiddleware",
    "ebok.middleware.ApiOriginMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "identity.middleware.IdleTimeoutMiddleware",
    "identity.middleware.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ebok.middleware.ContentSecurityPolicyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ebok" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ebok.context_processors.tenant_branding",
                "billing.context_processors.manager_switch",
            ],
        },
    }
]

CSRF_FAILURE_VIEW = "ebok.views.csrf_failure"
WSGI_APPLICATION = "ebok.wsgi.application"
ASGI_APPLICATION = "ebok.asgi.application"


def database_from_url(url: str) -> dict:
    """Parse DATABASE_URL into Django's form with the tenant-aware backend."""
    config = environ.Env.db_url_config(url)
    config["ENGINE"] = "ebok.db_backend"  # django-tenants' backend, see its docstring
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = env("DATABASE_URL", default="")
DATABASES = {"default": database_from_url(DATABASE_URL)} if DATABASE_URL else {}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "identity.validators.TenantPasswordValidator"}]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Behind N trusted reverse proxies the client address is the N-th from the right of
# X-Forwarded-For; 0 means REMOTE_ADDR (never trust a client-supplied header by default).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# PESEL numbers are stored only as HMAC-SHA256 under this key (identity.pesel).
PESEL_HASH_KEY = env("PESEL_HASH_KEY", default="")
# TOTP secrets are encrypted at rest under these Fernet keys, newest first
# (identity.twofactor.sealing).
TOTP_ENCRYPTION_KEYS = env.list("TOTP_ENCRYPTION_KEYS", default=[])


def _otp_issuer(device):
    """The name an authenticator app shows: the tenant's portal name."""
    from identity.twofactor.services import issuer_name  # noqa: PLC0415 - settings load before any app

    return issuer_name(device)


OTP_TOTP_ISSUER = _otp_issuer
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sessions and cookies are per host: no SESSION_COOKIE_DOMAIN, so one tenant's session never
# opens another's.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute limit; the idle timeout is the tenant's

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English"), ("uk", "Українська")]
LOCALE_PATHS = [BASE_DIR / "ebok" / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
FORMAT_MODULE_PATH = ["ebok.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STATICFILES_DIRS = [BASE_DIR / "ebok" / "static"]
# Uploaded documents and logos (per tenant folder) and tenant exports: a volume every web and
# worker process shares (compose: the "media" volume; Helm: media.persistence).
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
TENANT_EXPORT_ROOT = Path(env("TENANT_EXPORT_ROOT", default=str(MEDIA_ROOT / "exports")))
# The age public keys ("age1…", comma-separated) tenant exports are encrypted to; the private
# key is kept off this server (tenants.sealed_files, docs/operations.md). None set: the console
# refuses to export.
EXPORT_RECIPIENTS = env.list("EXPORT_RECIPIENTS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "identity.authentication.BearerTokenAuthentication",
        "identity.authentication.ApiKeyAuthentication",
        "identity.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["identity.authentication.AccountReady"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: a browser cannot send it cross-site without a CORS preflight (which the API
    # never grants), unlike a form post; the import endpoint reads its raw body itself.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ebok API",
    "DESCRIPTION": "The e-BOK REST API (v1); tenant endpoints live on each tenant's host.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "correspondence.models.cases.CaseStatus",
        "InvoiceKindEnum": "billing.models.ledger.Invoice.Kind",
    },
    # Every operation's refusals in the document (core.schema), after the default hooks.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.error_responses",
        "billing.schema.import_columns",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"tenant": {"()": "core.logging.TenantContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(tenant)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["tenant"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # PDF font subsetting is chatty at INFO
    },
}

from ebok.settings.integrations import *  # noqa: E402
