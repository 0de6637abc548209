"""The registry at thousands of tenants: a bounded LRU of hosts, unknown hosts kept apart,
invalidation per tenant through the change log, and the allowed-hosts check in constant time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import registry
from tenants.models import RegistryChange
from tenants.services import tenant_domain_add, tenant_setting_set

pytestmark = pytest.mark.django_db

ALPHA, BETA = "alpha.localhost", "beta.localhost"


def _queries(func):
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return result, len(ctx.captured_queries)


def test_a_change_to_one_tenant_keeps_every_other_tenant_cached(
    tenants, django_capture_on_commit_callbacks
):
    alpha = registry.tenant_for_host(ALPHA)
    beta = registry.tenant_for_host(BETA)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.b, key="branding.portal_name", value="Beta Nowa", actor="test"
        )
    # The next look-up reads the change log once and keeps alpha.
    again, queries = _queries(lambda: registry.tenant_for_host(ALPHA))
    assert again is alpha
    assert queries <= 2  # the generation (no cache in this process) and the change log
    assert registry.tenant_for_host(ALPHA) is alpha
    fresh, queries = _queries(lambda: registry.tenant_for_host(BETA))
    assert fresh is not beta
    assert queries >= 1
    assert fresh.configuration.branding.portal_name == "Beta Nowa"


def test_another_process_forgets_only_the_changed_tenant(
    tenants, django_capture_on_commit_callbacks
):
    """A change logged by another process: this one's generation is behind, it reads the log."""
    alpha = registry.tenant_for_host(ALPHA)
    beta = registry.tenant_for_host(BETA)
    known = registry._registry.generation
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(tenant=tenants.b, key="branding.portal_name", value="Beta 2", actor="t")
    # As if the change had been made elsewhere: this process still holds both tenants.
    registry._registry.generation = known
    registry._registry.hosts[BETA] = beta.pk
    registry._registry.tenants[beta.pk] = beta
    registry._registry.tenant_hosts[beta.pk] = {BETA}
    assert registry.tenant_for_host(ALPHA) is alpha
    assert registry.tenant_for_host(BETA) is not beta


def test_a_gap_in_the_change_log_forgets_everything(tenants, django_capture_on_commit_callbacks):
    alpha = registry.tenant_for_host(ALPHA)
    known = int(registry._registry.generation)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(tenant=tenants.b, key="branding.portal_name", value="Beta 3", actor="t")
        tenant_setting_set(tenant=tenants.b, key="branding.portal_name", value="Beta 4", actor="t")
    RegistryChange.objects.filter(generation__lte=known + 1).delete()  # pruned meanwhile
    registry._registry.generation = str(known)
    assert registry.tenant_for_host(ALPHA) is not alpha


def test_a_change_of_everything_forgets_everything(tenants, django_capture_on_commit_callbacks):
    alpha = registry.tenant_for_host(ALPHA)
    known = registry._registry.generation
    with django_capture_on_commit_callbacks(execute=True):
        registry.bump_generation()
    registry._registry.generation = known  # as in another process
    assert registry.tenant_for_host(ALPHA) is not alpha


def test_the_least_recently_used_host_goes_first(tenants, settings):
    settings.TENANT_REGISTRY_MAX_HOSTS = 2
    alpha = registry.tenant_for_host(ALPHA)
    registry.tenant_for_host(BETA)
    assert registry.tenant_for_host(ALPHA) is alpha  # alpha is now the most recent
    registry.tenant_for_host("localhost")  # the platform's host: beta goes
    assert registry.statistics()["hosts"] == 2
    assert registry.is_tenant_host(ALPHA)
    assert not registry.is_tenant_host(BETA)
    assert registry.tenant_for_host(ALPHA) is alpha
    _beta, queries = _queries(lambda: registry.tenant_for_host(BETA))
    assert queries == 1


def test_a_flood_of_unknown_hosts_does_not_push_tenants_out(tenants, monkeypatch):
    monkeypatch.setattr(registry, "_UNKNOWN_HOSTS", 5)
    alpha = registry.tenant_for_host(ALPHA)
    for n in range(12):
        assert registry.tenant_for_host(f"random{n}.example.com") is None
    stats = registry.statistics()
    assert stats["unknown"] == 5
    assert stats["hosts"] == 1
    assert registry.tenant_for_host(ALPHA) is alpha
    # An unknown host remembered costs no query either.
    _none, queries = _queries(lambda: registry.tenant_for_host("random11.example.com"))
    assert queries == 0


def test_a_host_remembered_as_unknown_is_found_once_it_is_added(
    client, tenants, django_capture_on_commit_callbacks
):
    assert client.get("/", HTTP_HOST="ebok.alfa.example").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        tenant_domain_add(tenant=tenants.a, domain="ebok.alfa.example")
    assert client.get("/", HTTP_HOST="ebok.alfa.example").status_code == 200


def test_a_domain_moved_to_another_tenant_routes_there(
    client, tenants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        domain = tenant_domain_add(tenant=tenants.a, domain="bok.wspolny.example")
    assert registry.tenant_for_host("bok.wspolny.example").pk == tenants.a.pk
    known = registry._registry.generation
    with django_capture_on_commit_callbacks(execute=True):
        domain.tenant = tenants.b
        domain.save()
    registry._registry.generation = known  # as in a process that did not make the change
    registry._registry.hosts["bok.wspolny.example"] = tenants.a.pk
    registry._registry.tenant_hosts.setdefault(tenants.a.pk, set()).add("bok.wspolny.example")
    assert registry.tenant_for_host("bok.wspolny.example").pk == tenants.b.pk


def test_custom_domains_are_checked_without_a_scan_of_known_hosts(
    client, tenants, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            tenant_domain_add(tenant=tenants.a, domain=f"ebok{n}.alfa.example")
    for n in range(30):
        assert client.get("/login/", HTTP_HOST=f"ebok{n}.alfa.example").status_code == 200
    assert registry.statistics()["hosts"] == 30
    # ALLOWED_HOSTS yields the static entries and the current request's host only.
    static = settings.ALLOWED_HOSTS[:]  # a slice is a plain list: the static entries
    assert list(settings.ALLOWED_HOSTS) == [*static, "ebok29.alfa.example"]
    # A www. variant of a tenant's custom domain is allowed too; a foreign host is not served.
    assert client.get("/login/", HTTP_HOST="www.ebok3.alfa.example").status_code == 200
    assert client.get("/login/", HTTP_HOST="ebok3.alfa.example.evil").status_code == 404
    assert list(settings.ALLOWED_HOSTS) == static


def test_the_change_log_is_pruned_but_keeps_its_newest_row(tenants):
    from django.utils import timezone

    old = timezone.now() - registry.CHANGE_LOG_KEEP - timedelta(hours=1)
    top = RegistryChange.objects.order_by("-generation").first()
    base = (top.generation if top else 0) + 1000
    RegistryChange.objects.bulk_create(
        [RegistryChange(generation=base + n, tenant_id=1, changed_at=old) for n in range(3)]
    )
    RegistryChange.objects.create(generation=base + 3, tenant_id=1, changed_at=timezone.now())
    registry.prune_change_log()
    assert list(
        RegistryChange.objects.filter(generation__gte=base).values_list("generation", flat=True)
    ) == [base + 3]
    RegistryChange.objects.filter(generation__gt=base).update(changed_at=old)
    registry.prune_change_log()
    assert RegistryChange.objects.filter(generation=base + 3).exists()  # the newest stays
