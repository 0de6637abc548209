"""The full platform stack (production-like: DEBUG off, persistent connections)."""

from ebok.settings.test import *  # noqa: F403
from ebok.settings.test import env

ROOT_URLCONF = "bench.urls_tenant"
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
DATABASES["default"]["NAME"] = env("BENCH_DB", default="ebok_bench")  # noqa: F405
if env("BENCH_REDIS_URL", default=""):
    CACHES["platform"] = {  # noqa: F405
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("BENCH_REDIS_URL"),
        "KEY_PREFIX": "platform",
    }
TENANT_REGISTRY_CHECK_SECONDS = env.float("TENANT_REGISTRY_CHECK_SECONDS", default=1.0)
