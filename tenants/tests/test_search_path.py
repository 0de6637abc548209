"""The backend skips a SET search_path only when the open connection already has it, and the
registry's check interval bounds how stale a process's copy can be."""

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from identity.models import User
from tenants import registry

pytestmark = pytest.mark.django_db


def _statements(fn) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def _sets(statements):
    return [s for s in statements if s.startswith("SET search_path")]


def test_same_tenant_again_issues_no_set_and_another_tenant_does(tenants):
    connection.set_tenant(tenants.b)
    User.objects.count()
    connection.set_tenant(tenants.a)
    assert _sets(_statements(lambda: User.objects.count())) == [
        'SET search_path = "alpha","public"'
    ]
    connection.set_tenant(tenants.a)  # the next request for the same tenant
    assert _sets(_statements(lambda: User.objects.count())) == []
    connection.set_tenant(tenants.b)
    assert _sets(_statements(lambda: User.objects.count())) == ['SET search_path = "beta","public"']


def _server_search_path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0]


def _fail_inside_savepoint(tenant) -> None:
    with transaction.atomic():
        connection.set_tenant(tenant)
        User.objects.create(username="dup")
        User.objects.create(username="dup")  # unique violation: rolls back to the savepoint


@pytest.mark.parametrize("inner", ["a", "b"])
def test_server_search_path_matches_the_tenant_after_a_rolled_back_savepoint(tenants, inner):
    connection.set_tenant(tenants.a)
    User.objects.count()
    inner_tenant = getattr(tenants, inner)
    with pytest.raises(IntegrityError):
        _fail_inside_savepoint(inner_tenant)
    # Whatever PostgreSQL dropped with the savepoint, the path in force is the selected tenant's.
    assert _server_search_path() == f"{inner_tenant.schema_name}, public"
    connection.set_tenant(tenants.a)
    assert _server_search_path() == "alpha, public"
    assert User.objects.filter(username="dup").count() == 0


def test_set_is_reissued_on_a_new_connection(tenants):
    own = connections.create_connection(
        "default"
    )  # a wrapper of its own, outside the test's transaction
    try:
        for _attempt in range(2):
            own.set_tenant(tenants.a)
            with CaptureQueriesContext(own) as ctx, own.cursor() as cursor:
                cursor.execute("SELECT 1")
            assert _sets([q["sql"] for q in ctx.captured_queries]) == [
                'SET search_path = "alpha","public"'
            ]
            own.close()  # the next attempt runs on a new server session
    finally:
        own.close()


def test_a_process_sees_changes_within_the_check_interval(tenants, settings, monkeypatch):
    settings.TENANT_REGISTRY_CHECK_SECONDS = 1.0
    clock = [1000.0]
    monkeypatch.setattr(registry.time, "monotonic", lambda: clock[0])
    first = registry.tenant_for_host("alpha.localhost")
    # another process changes a tenant: the shared generation moves on
    registry._platform_cache().set(registry.GENERATION_KEY, "changed-elsewhere", timeout=None)
    clock[0] += 0.5
    assert registry.tenant_for_host("alpha.localhost") is first  # still trusted
    clock[0] += 0.6
    assert registry.tenant_for_host("alpha.localhost") is not first  # re-read after the interval


def test_a_connection_that_served_too_many_schemas_is_recycled(tenants, settings):
    """Each tenant's catalogue stays in the server backend's memory: past the limit of schemas
    the connection is closed at the end of the request and a fresh one serves the next."""
    settings.TENANT_CONNECTION_MAX_SCHEMAS = 2
    own = connections.create_connection("default")
    own.settings_dict = {**own.settings_dict, "CONN_MAX_AGE": 600}  # persistent, as in production
    try:
        own.set_tenant(tenants.a)
        with own.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            first_pid = cursor.fetchone()[0]
        own.set_tenant(tenants.b)
        own.cursor().close()
        own.close_if_unusable_or_obsolete()
        assert own.connection is not None  # two schemas (alpha, beta): within the limit
        own.set_schema_to_public()
        own.cursor().close()
        own.close_if_unusable_or_obsolete()  # a third: recycled when the request ends
        assert own.connection is None
        own.set_tenant(tenants.a)
        with own.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != first_pid
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == "alpha, public"
    finally:
        own.close()


def test_same_schema_again_keeps_its_content_types_and_another_schema_drops_them(tenants):
    from django.contrib.contenttypes.models import ContentType

    connection.set_tenant(tenants.a)
    User.objects.count()
    ContentType.objects.get_for_model(User)
    assert ContentType.objects._cache
    connection.set_tenant(tenants.a)  # the next request, same schema: the ids are the same
    assert ContentType.objects._cache
    assert connection.tenant is tenants.a
    connection.set_tenant(tenants.b)  # another schema may number its content types otherwise
    assert not ContentType.objects._cache
    assert _server_search_path() == "beta, public"


def test_behind_a_transaction_pooler_every_switch_sets_the_path_again(tenants, settings):
    settings.TENANT_REUSE_SEARCH_PATH = False
    connection.set_tenant(tenants.a)
    User.objects.count()
    connection.set_tenant(tenants.a)
    assert _sets(_statements(lambda: User.objects.count())) == [
        'SET search_path = "alpha","public"'
    ]
