"""Redis (cache), Celery, e-mail and Sentry: each configured only from the environment."""

import environ
from celery.schedules import crontab

from ebok.settings.base import DEBUG, env

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    _cache_backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that does not answer must not hold requests: callers fall back (the tenant
        # registry reads the database) after at most this long.
        "OPTIONS": {
            "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
        },
    }
else:
    _cache_backend = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ebok",
    }
CACHES = {
    # Tenant data: every key is prefixed with the current schema (django_tenants.cache.make_key).
    "default": {
        **_cache_backend,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    # Platform-wide keys (the tenant registry's generation counter): never tenant-prefixed.
    "platform": {**_cache_backend, "KEY_PREFIX": "platform"},
}

# Celery: Redis as broker when configured; otherwise tasks run eagerly in process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The queue tasks go to and workers take them from (one deployment's web and workers share it;
# the tests give each of their workers a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Warsaw"
# Celery's own scheduler: periodic jobs are queued once, in public, and fan out per *active*
# tenant in ebok.tasks.run_for_every_tenant (tenant-schemas-celery's scheduler would send each
# entry to every tenant, suspended ones included).
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=".data/celerybeat-schedule"
)
CELERY_BEAT_SCHEDULE = {
    "outbox-flush": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": 60.0,
        "args": ("core.outbox.tasks.outbox_flush",),
    },
    # Signup and operator e-mails live in the public schema's outbox.
    "outbox-flush-public": {"task": "core.outbox.tasks.outbox_flush", "schedule": 60.0},
    "signup-sweep": {"task": "tenants.tasks.signup_sweep", "schedule": 300.0},
    "signup-purge": {"task": "tenants.tasks.signup_purge", "schedule": 86400.0},
    "import-jobs-sweep": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": 300.0,
        "args": ("billing.tasks.import_jobs_sweep",),
    },
    # Remote reads arrive through the night: yesterday is judged early in the morning.
    "meter-alerts": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=5, minute=30),
        "args": ("metering.tasks.alerts_detect_and_notify",),
    },
    "reading-window-notices": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=8, minute=0),
        "args": ("metering.tasks.window_notices",),
    },
    # Online payments whose notification is late or lost: the gateway is asked.
    "payments-reconcile": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": 600.0,
        "args": ("payments.tasks.payments_reconcile",),
    },
    "payments-daily-report": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=6, minute=45),
        "args": ("payments.tasks.payments_daily_report",),
    },
    # Cases: answered ones nobody replied to are closed; staff are told of deadlines near.
    "cases-daily": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=7, minute=15),
        "args": ("correspondence.tasks.cases_daily",),
    },
    # Notices: new invoices, payments due soon and overdue (once each), and the daily digest.
    "invoice-notices": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=9, minute=0),
        "args": ("billing.tasks.invoice_notices",),
    },
    # Seed D: accounts whose every legal title ended are told, then blocked after the grace.
    "legal-titles": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=6, minute=30),
        "args": ("billing.tasks.legal_titles_enforce",),
    },
    "notification-digests": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(minute=5),
        "args": ("notifications.tasks.digests_send",),
    },
    # Every retention rule of the registry of personal data, at night (RODO art. 5(1)(e)).
    "retention": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=2, minute=30),
        "args": ("identity.tasks.retention_apply",),
    },
    # The accessibility declaration's yearly review (by 31 March): its administrators reminded.
    "accessibility-review": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": crontab(hour=8, minute=30),
        "args": ("identity.tasks.accessibility_review_remind",),
    },
    # Customers' copies of their data are deleted a week after they were made.
    "data-exports-expire": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": 3600.0,
        "args": ("identity.tasks.data_exports_expire",),
    },
    "throttle-windows-purge": {
        "task": "ebok.tasks.run_for_every_tenant",
        "schedule": 3600.0,
        "args": ("core.tasks.ratecounter_purge",),
    },
}

# E-mail: EMAIL_URL like smtp://user:pass@host:587/?tls=True; in development the console backend
# (and /dev/mail/, which reads the outbox) is enough.
_email = environ.Env.email_url_config(
    env("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="e-BOK <no-reply@localhost>")
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
# Messages a schema without notification settings (the platform's own) delivers per minute.
OUTBOX_PER_MINUTE = env.int("OUTBOX_PER_MINUTE", default=6000)

SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    from core.logging import sentry_before_breadcrumb, sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        send_default_pii=False,
        # No request bodies or local variables (forms carry PESEL and passwords); what is sent
        # is masked like every log line.
        max_request_body_size="never",
        include_local_variables=False,
        before_send=sentry_before_send,
        before_breadcrumb=sentry_before_breadcrumb,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
