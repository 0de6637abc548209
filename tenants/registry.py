"""The domain -> tenant registry: the tenant serving each request, without a query per request.

Each process keeps the tenants it has resolved. A shared *generation* tells every process when
any tenant, domain or configuration changed; on a new generation the process forgets what it
knew and looks hosts up again. The generation's truth is a PostgreSQL sequence in the public
schema, advanced after the change commits; Redis holds a copy so a request normally reads one
cache key and no SQL. When the cache fails (Redis down), the sequence is read instead: tenants
keep being served, and changes keep reaching every process.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)

GENERATION_KEY = "tenant-registry-generation"
_MAX_HOSTS = 5000  # unknown hosts are remembered too; a flood of random Host headers is bounded
_CACHE_WARNING_SECONDS = 60.0


class _Registry(threading.local):
    def __init__(self) -> None:
        self.generation: str | None = None
        self.checked_at = 0.0
        self.hosts: dict[str, object] = {}
        self.cache_failed = False  # a cache call failed since the last good one


_registry = _Registry()
_last_cache_warning = [0.0]


def _platform_cache():
    return caches["platform"]


def _database_generation(*, advance: bool = False) -> str:
    sql = (
        "SELECT nextval('public.tenants_registry_generation')"
        if advance
        # A new sequence reports last_value 1 before its first nextval (which also returns 1).
        else "SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
        "FROM public.tenants_registry_generation"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return str(cursor.fetchone()[0])


def _cache_unavailable(exc: Exception) -> None:
    _registry.cache_failed = True
    now = time.monotonic()
    if now - _last_cache_warning[0] > _CACHE_WARNING_SECONDS:
        _last_cache_warning[0] = now
        logger.warning("tenant registry: cache unavailable (%s); reading the database", exc)


def current_generation() -> str:
    """The shared generation: from the cache, else from the database (and the cache is filled
    with ``add``, so a concurrent bump's newer value is never overwritten)."""
    cache = _platform_cache()
    try:
        value = cache.get(GENERATION_KEY)
    except Exception as exc:  # noqa: BLE001 - any cache failure degrades to the database
        _cache_unavailable(exc)
        return _database_generation()
    if value is not None and not _registry.cache_failed:
        return value
    truth = _database_generation()
    try:
        if _registry.cache_failed and value is not None and value != truth:
            # A bump happened while the cache was down: its copy is stale, correct it.
            cache.set(GENERATION_KEY, truth, timeout=None)
        else:
            cache.add(GENERATION_KEY, truth, timeout=None)
        _registry.cache_failed = False
    except Exception as exc:  # noqa: BLE001
        _cache_unavailable(exc)
    return truth


def bump_generation() -> None:
    """Tell every process that tenants changed; runs after the current transaction commits."""

    def _bump() -> None:
        value = _database_generation(advance=True)
        _registry.generation = None
        try:
            _platform_cache().set(GENERATION_KEY, value, timeout=None)
        except Exception as exc:  # noqa: BLE001 - readers fall back to the sequence
            _cache_unavailable(exc)

    transaction.on_commit(_bump)


def _refresh_if_stale() -> None:
    interval = getattr(settings, "TENANT_REGISTRY_CHECK_SECONDS", 0.0)
    now = time.monotonic()
    if interval and _registry.generation is not None and now - _registry.checked_at < interval:
        return
    generation = current_generation()
    _registry.checked_at = now
    if generation != _registry.generation:
        _registry.generation = generation
        _registry.hosts = {}


def tenant_for_host(hostname: str):
    """The tenant serving ``hostname``, or None. One query the first time a process sees a host
    (and after any change), none afterwards."""
    from tenants.models import Domain  # noqa: PLC0415 - the settings (allowed hosts) import the registry before apps load

    _refresh_if_stale()
    try:
        return _registry.hosts[hostname]
    except KeyError:
        pass
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    tenant = domain.tenant if domain else None
    if len(_registry.hosts) >= _MAX_HOSTS:
        _registry.hosts = {}
    _registry.hosts[hostname] = tenant
    return tenant


def known_hosts() -> list[str]:
    """Hosts this process has resolved to a tenant (used for ALLOWED_HOSTS)."""
    return [host for host, tenant in _registry.hosts.items() if tenant is not None]


def forget_everything() -> None:
    """For tests: drop this process's copy."""
    _registry.generation = None
    _registry.hosts = {}
    _registry.cache_failed = False
