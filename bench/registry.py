"""Benchmark: the tenant registry (host -> tenant) at 5,000, 10,000 and 20,000 tenants.

A scratch database gets N tenant rows with a custom domain each (rows only: the registry never
touches a tenant's schema) carrying a real preset's configuration with a portal name of its own. In one process:

1. **hit rate**: every host is looked up once (the misses that fill the cache), then a stream of
   10 × N look-ups drawn uniformly from all hosts; the hit rate over the stream and the time of a
   hit are reported, with the memory each cached tenant costs (its configuration parsed);
2. **invalidation per tenant**: one tenant's setting changes, then every host is looked up again:
   the look-ups that had to go to the database;
3. **allowed hosts**: Django's ``validate_host`` of a custom domain against the platform's
   ``ALLOWED_HOSTS`` (the static entries and the request's own host) against the reference, a
   list holding every known host (how the check worked before).

Usage: python bench/registry.py [--no-write] (``make bench`` runs it).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_tenant")
os.environ.setdefault("BENCH_DB", "ebok_bench_registry")
os.environ["TENANT_REGISTRY_CHECK_SECONDS"] = "1.0"

from bench.common import scaled, scratch_database, write_section  # noqa: E402

SIZES = [scaled(5000, 50), scaled(10000, 100), scaled(20000, 200)]


def _fill(count: int, config: dict) -> None:
    from tenants.models import Domain, Tenant

    have = Tenant.objects.filter(slug__startswith="r").count()
    rows = [
        Tenant(
            schema_name=f"r{n:06d}",
            slug=f"r{n:06d}",
            name=f"Spółdzielnia {n}",
            kind="housing_cooperative",
            preset="A",
            config={**config, "branding": {**config["branding"], "portal_name": f"e-BOK {n}"}},
        )
        for n in range(have, count)
    ]
    Tenant.objects.bulk_create(rows, batch_size=2000)
    ids = dict(Tenant.objects.filter(slug__in=[t.slug for t in rows]).values_list("slug", "pk"))
    Domain.objects.bulk_create(
        [Domain(domain=f"ebok.{t.slug}.example", tenant_id=ids[t.slug]) for t in rows],
        batch_size=2000,
    )


def _measure(count: int, rng: random.Random) -> dict:
    from django.conf import settings
    from django.db import transaction
    from django.http.request import validate_host

    from tenants import registry
    from tenants.models import Tenant

    hosts = [f"ebok.r{n:06d}.example" for n in range(count)]
    registry.forget_everything()
    sample = min(500, count)  # memory traced over the first hosts only (tracing is slow)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for host in hosts[:sample]:
        registry.tenant_for_host(host).configuration  # noqa: B018 - parsed, as a request does
    per_tenant = (tracemalloc.get_traced_memory()[0] - before) / sample
    tracemalloc.stop()
    for host in hosts[sample:]:
        registry.tenant_for_host(host).configuration  # noqa: B018

    start = registry.statistics()
    stream = [rng.choice(hosts) for _ in range(count * 10)]
    started = time.perf_counter_ns()
    for host in stream:
        registry.tenant_for_host(host)
    per_lookup = (time.perf_counter_ns() - started) / len(stream) / 1000
    end = registry.statistics()
    hits = end["hits"] - start["hits"]
    hit_rate = hits / len(stream) * 100

    # One tenant's configuration changes, as tenant_setting_set writes it (these rows have no
    # schema, so the row is written directly; the signal and the change log are the same).
    changed = Tenant.objects.get(slug=f"r{count // 2:06d}")
    branding = {**changed.config["branding"], "portal_name": f"Zmieniony {count}"}
    with transaction.atomic():
        Tenant.objects.filter(pk=changed.pk).update(config={**changed.config, "branding": branding})
        registry.bump_generation(changed.pk)
    registry._registry.checked_at = 0.0  # the check interval is over
    start = registry.statistics()
    for host in hosts:
        registry.tenant_for_host(host)
    refetched = registry.statistics()["misses"] - start["misses"]

    last = hosts[-1]
    from ebok.hosts import allow_tenant_host

    allow_tenant_host(last)
    reference = [*settings.ALLOWED_HOSTS[:], *hosts]  # every known host, as before
    ours = _time_check(lambda: validate_host(last, settings.ALLOWED_HOSTS))
    old = _time_check(lambda: validate_host(last, reference))
    return {
        "count": count,
        "hit_rate": hit_rate,
        "per_lookup_us": per_lookup,
        "kb_per_tenant": per_tenant / 1024,
        "refetched": refetched,
        "check_us": ours,
        "check_reference_us": old,
    }


def _time_check(check) -> float:
    assert check()
    rounds = []
    for _ in range(5):
        started = time.perf_counter_ns()
        for _ in range(200):
            check()
        rounds.append((time.perf_counter_ns() - started) / 200 / 1000)
    return statistics.median(rounds)


def main() -> None:
    scratch_database(os.environ["BENCH_DB"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tenants.services import tenant_create

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("bootstrap_platform", verbosity=0)
    model = tenant_create(name="Wzór", slug="wzor", kind="housing_cooperative", preset_code="A")
    connection.set_schema_to_public()
    rng = random.Random(20)
    results = []
    for count in SIZES:
        _fill(count, model.config)
        results.append(_measure(count, rng))
        print(results[-1], file=sys.stderr)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on this machine, one process, "
        f"`TENANT_REGISTRY_MAX_HOSTS` = {django.conf.settings.TENANT_REGISTRY_MAX_HOSTS:,}.",
        "",
        "| tenants (one custom domain each) | hit rate over 10 × N uniform look-ups | µs per "
        "look-up | memory per cached tenant | look-ups that went to the database after one "
        "tenant's change | allowed-hosts check | reference: list of every known host | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['count']:,} | {r['hit_rate']:.2f} % | {r['per_lookup_us']:.2f} | "
            f"{r['kb_per_tenant']:.1f} KB | {r['refetched']} of {r['count']:,} | "
            f"{r['check_us']:.2f} µs | {r['check_reference_us']:.0f} µs | "
            f"{r['check_reference_us'] / r['check_us']:,.0f}× |"
        )
    table = "\n".join(lines)
    print(table)
    if "--no-write" not in sys.argv:
        write_section(
            "registry",
            table,
            "## The tenant registry at 20,000 tenants\n\n`bench/registry.py`. Each process "
            "keeps an LRU of hosts (unknown hosts in a small one of their own), forgets only the "
            "tenants named in the change log since the generation it knew, and checks a custom "
            "domain against `ALLOWED_HOSTS` as the one host the tenant middleware resolved.",
        )


if __name__ == "__main__":
    main()
