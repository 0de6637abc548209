"""The domain -> tenant registry: the tenant serving each request, without a query per request.

Each process keeps the tenants it has resolved. A shared *generation* value (one cache read per
request, no SQL) tells every process when any tenant, domain or configuration changed; on a new
generation the process forgets what it knew and looks hosts up again. Services and signals bump
the generation after their transaction commits.
"""

from __future__ import annotations

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django_tenants.utils import schema_context

GENERATION_KEY = "tenant-registry-generation"
_MAX_HOSTS = 5000  # unknown hosts are remembered too; a flood of random Host headers is bounded


class _Registry(threading.local):
    def __init__(self) -> None:
        self.generation: str | None = None
        self.checked_at = 0.0
        self.hosts: dict[str, object] = {}


_registry = _Registry()


def _platform_cache():
    return caches["platform"]


def current_generation() -> str:
    cache = _platform_cache()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump_generation() -> None:
    """Tell every process that tenants changed; runs after the current transaction commits."""

    def _bump() -> None:
        _platform_cache().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        _registry.generation = None

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
    from tenants.models import Domain

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
