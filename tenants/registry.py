"""The domain -> tenant registry: the tenant serving each request, without a query per request.

Each process keeps the hosts it has resolved in a bounded LRU (``TENANT_REGISTRY_MAX_HOSTS``,
20,000 by default), the tenants behind them and each tenant's parsed configuration. Hosts that
belong to no tenant are remembered in a small LRU of their own, so a flood of random Host
headers cannot push real tenants out.

A shared *generation* tells every process that something changed: a PostgreSQL sequence in the
public schema, advanced after the change commits, with a row in ``tenants_registrychange``
naming the tenant (and the host) that changed. Redis holds a copy of the generation so a request
normally reads one cache key (at most once per ``TENANT_REGISTRY_CHECK_SECONDS``) and no SQL. On
a new generation a process reads the changes since the one it knew (one query) and forgets only
those tenants' hosts; when the log no longer covers the gap (pruned, or a generation it cannot
read) it forgets everything. When the cache fails (Redis down), the sequence is read instead:
tenants keep being served, and changes keep reaching every process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)

GENERATION_KEY = "tenant-registry-generation"
_UNKNOWN_HOSTS = 1000  # hosts of no tenant remembered per process
_CACHE_WARNING_SECONDS = 60.0
CHANGE_LOG_KEEP = timedelta(days=2)  # a process idle for longer forgets everything on waking
_PRUNE_EVERY = 100  # one change in this many prunes the log


def _max_hosts() -> int:
    return int(getattr(settings, "TENANT_REGISTRY_MAX_HOSTS", 20000))


class _Registry(threading.local):
    """One worker's copy (gunicorn's sync workers and Celery's prefork children have one thread;
    a threaded server gets one copy per thread, so no lock is taken per request)."""

    def __init__(self) -> None:
        self.generation: str | None = None
        self.checked_at = 0.0
        self.hosts: OrderedDict[str, int] = OrderedDict()  # host -> tenant id, LRU order
        self.unknown: OrderedDict[str, None] = OrderedDict()
        self.tenants: dict[int, object] = {}
        self.tenant_hosts: dict[int, set[str]] = {}
        self.cache_failed = False  # a cache call failed since the last good one
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self.hosts.clear()
        self.unknown.clear()
        self.tenants.clear()
        self.tenant_hosts.clear()

    def forget_host(self, host: str) -> None:
        self.unknown.pop(host, None)
        tenant_id = self.hosts.pop(host, None)
        if tenant_id is None:
            return
        hosts = self.tenant_hosts.get(tenant_id)
        if hosts is not None:
            hosts.discard(host)
            if not hosts:
                del self.tenant_hosts[tenant_id]
                self.tenants.pop(tenant_id, None)

    def forget_tenant(self, tenant_id: int) -> None:
        for host in self.tenant_hosts.pop(tenant_id, set()):
            self.hosts.pop(host, None)
        self.tenants.pop(tenant_id, None)


_registry = _Registry()
_last_cache_warning = [0.0]


def _platform_cache():
    return caches["platform"]


def _database_generation() -> str:
    # A new sequence reports last_value 1 before its first nextval (which also returns 1).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
            "FROM public.tenants_registry_generation"
        )
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


def bump_generation(tenant_id: int | None = None, host: str = "") -> None:
    """Tell every process that ``tenant_id`` (and ``host``) changed; runs after the current
    transaction commits. Without a tenant every process forgets everything."""

    def _bump() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO public.tenants_registrychange (generation, tenant_id, host, "
                "changed_at) VALUES (nextval('public.tenants_registry_generation'), %s, %s, "
                "now()) RETURNING generation",
                [tenant_id, host],
            )
            value = str(cursor.fetchone()[0])
        if int(value) % _PRUNE_EVERY == 0:
            prune_change_log()
        if tenant_id is None:
            _registry.generation = None
        else:
            # This process forgets what changed now; the generation is left as it was, so the
            # next check reads this change (and any other one made meanwhile) from the log.
            _registry.forget_tenant(tenant_id)
            if host:
                _registry.forget_host(host)
        try:
            _platform_cache().set(GENERATION_KEY, value, timeout=None)
        except Exception as exc:  # noqa: BLE001 - readers fall back to the sequence
            _cache_unavailable(exc)

    transaction.on_commit(_bump)


def prune_change_log() -> int:
    """Drop the change log's rows older than ``CHANGE_LOG_KEEP`` (every hundredth change does
    this; a process that slept longer forgets everything instead); the newest row is always
    kept. Returns the rows deleted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM public.tenants_registrychange WHERE changed_at < now() - %s "
            "AND generation < (SELECT max(generation) FROM public.tenants_registrychange)",
            [CHANGE_LOG_KEEP],
        )
        return cursor.rowcount


def _changes_since(old: int, new: int) -> tuple[set[int], set[str]] | None:
    """The tenants and hosts changed after generation ``old`` up to ``new``, or None when the log
    does not cover that span or names a change of everything."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT min(generation) FROM public.tenants_registrychange), "
            "array_agg(tenant_id), array_agg(host), bool_or(tenant_id IS NULL) "
            "FROM public.tenants_registrychange WHERE generation > %s AND generation <= %s",
            [old, new],
        )
        first, tenant_ids, hosts, everything = cursor.fetchone()
    if first is None or first > old + 1 or everything:
        return None
    return set(tenant_ids or ()), {h for h in hosts or () if h}


def _apply_generation(generation: str) -> None:
    old = _registry.generation
    _registry.generation = generation
    if old is None or not (old.isdigit() and generation.isdigit()) or int(generation) < int(old):
        _registry.clear()
        return
    changes = _changes_since(int(old), int(generation))
    if changes is None:
        _registry.clear()
        return
    tenant_ids, hosts = changes
    for tenant_id in tenant_ids:
        _registry.forget_tenant(tenant_id)
    for host in hosts:
        _registry.forget_host(host)
    _registry.unknown.clear()  # a new domain may name a host remembered as unknown


def _refresh_if_stale() -> None:
    interval = getattr(settings, "TENANT_REGISTRY_CHECK_SECONDS", 0.0)
    now = time.monotonic()
    if interval and _registry.generation is not None and now - _registry.checked_at < interval:
        return
    generation = current_generation()
    _registry.checked_at = now
    if generation != _registry.generation:
        _apply_generation(generation)


def tenant_for_host(hostname: str):
    """The tenant serving ``hostname``, or None. One query the first time a process sees a host
    (and after a change to its tenant), none afterwards."""
    from tenants.models import Domain  # noqa: PLC0415 - the settings (allowed hosts) import the registry before apps load

    _refresh_if_stale()
    hosts = _registry.hosts
    tenant_id = hosts.get(hostname)
    if tenant_id is not None:
        hosts.move_to_end(hostname)
        _registry.hits += 1
        return _registry.tenants[tenant_id]
    if hostname in _registry.unknown:
        _registry.hits += 1
        return None
    _registry.misses += 1
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    if domain is None:
        _registry.unknown[hostname] = None
        if len(_registry.unknown) > _UNKNOWN_HOSTS:
            _registry.unknown.popitem(last=False)
        return None
    tenant = _registry.tenants.get(domain.tenant_id)
    if tenant is None:
        tenant = _registry.tenants[domain.tenant_id] = _slim(domain.tenant)
    hosts[hostname] = domain.tenant_id
    _registry.tenant_hosts.setdefault(domain.tenant_id, set()).add(hostname)
    if len(hosts) > _max_hosts():
        _registry.forget_host(next(iter(hosts)))
    return tenant


def _slim(tenant):
    """The tenant with its configuration parsed and the raw JSON let go (two thirds of its
    memory; Django loads it again only if something asks for ``config``)."""
    if tenant.config:
        tenant.configuration  # noqa: B018 - parsed and kept on the object
        del tenant.__dict__["config"]  # a deferred field now: a save() leaves it as it is
    return tenant


def is_tenant_host(hostname: str) -> bool:
    """Whether this process knows ``hostname`` as a tenant's (a dict lookup: the allowed-hosts
    check of custom domains)."""
    return hostname in _registry.hosts


def statistics() -> dict[str, int]:
    """This process's hits, misses and sizes (for the benchmark and operators)."""
    return {
        "hits": _registry.hits,
        "misses": _registry.misses,
        "hosts": len(_registry.hosts),
        "tenants": len(_registry.tenants),
        "unknown": len(_registry.unknown),
    }


def forget_everything() -> None:
    """For tests: drop this process's copy."""
    _registry.generation = None
    _registry.clear()
    _registry.cache_failed = False
    _registry.hits = _registry.misses = 0
