"""The deploy's tenant migrations at scale (tenants.migrator): schemas at the code's migrations
are found in one query and left alone; a schema behind gets the plan's SQL, made once per state,
in one transaction with its records; a failing schema is reported and the others go on; an
interrupted run completes when run again."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenants import migrator
from tenants.models import Tenant
from tenants.template import migrations_fingerprint

pytestmark = pytest.mark.django_db
LAST = ("billing", "0016_customer_erased")


def _behind(schema: str) -> None:
    """Put ``schema`` where it was before billing's last migration, recorded as an old state."""
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE billing_customer DROP COLUMN erased_at")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", LAST)
    Tenant.objects.filter(schema_name=schema).update(migrations_fingerprint="old")


def _has_last(schema: str) -> bool:
    """What the last migration made (its column) is there."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'billing_customer' AND column_name = 'erased_at'",
            [schema],
        )
        return cursor.fetchone()[0] == 1


def _recorded(schema: str) -> bool:
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = %s AND name = %s", LAST)
        return cursor.fetchone()[0] == 1


@pytest.fixture
def schemas(tenants):
    Tenant.objects.exclude(schema_name="public").update(
        migrations_fingerprint=migrations_fingerprint()
    )
    return [tenants.a.schema_name, tenants.b.schema_name]


def test_schemas_at_the_codes_migrations_cost_one_query(schemas):
    with CaptureQueriesContext(connection) as queries:
        report = migrator.migrate_tenants(workers=1)
    assert {o.state for o in report.outcomes} == {"current"}
    assert {o.schema for o in report.outcomes} >= set(schemas)
    assert len(queries.captured_queries) <= 2  # who is behind; who is not (for the report)


def test_schemas_behind_get_the_plan_replayed_made_once(schemas, monkeypatch):
    made = []
    real = migrator._plan_for
    monkeypatch.setattr(migrator, "_plan_for", lambda applied: made.append(1) or real(applied))
    for schema in schemas:
        _behind(schema)
    assert not _has_last(schemas[0])
    report = migrator.migrate_tenants(workers=1, schemas=schemas)
    outcomes = {o.schema: o for o in report.outcomes}
    for schema in schemas:
        assert outcomes[schema].state == "migrated", outcomes[schema]
        assert outcomes[schema].how == "sql"
        assert outcomes[schema].applied == ["billing.0016_customer_erased"]
        assert _has_last(schema)
        assert _recorded(schema)
    assert len(made) == 1  # one plan for the two schemas in the same state
    assert set(migrator.schemas_behind(migrations_fingerprint())).isdisjoint(schemas)
    call_command("migration_report")  # exits 1 while any schema is behind


def test_a_failing_schema_is_reported_and_the_others_go_on(schemas, capsys):
    broken, sound = schemas
    for schema in schemas:
        _behind(schema)
    with schema_context(broken), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE billing_customer RENAME TO billing_customer_lost")
    with pytest.raises(SystemExit) as exit_:
        call_command("migrate_tenants", workers=1, schema=schemas)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"{broken}: failed" in out
    assert f"{sound}: migrated (sql, billing.0016_customer_erased" in out
    assert "1 migrated, 1 failed" in out
    assert _has_last(sound)
    # The broken schema is as it was: nothing half done, still recorded as behind.
    assert not _recorded(broken)
    assert Tenant.objects.get(schema_name=broken).migrations_fingerprint == "old"


def test_an_interrupted_run_completes_when_run_again(schemas):
    for schema in schemas:
        _behind(schema)

    def interrupt(outcome):
        raise KeyboardInterrupt  # the deploy's job killed after its first schema

    with pytest.raises(KeyboardInterrupt):
        migrator.migrate_tenants(workers=1, schemas=schemas, on_schema=interrupt)
    done = [s for s in schemas if _recorded(s)]
    assert len(done) == 1
    assert _has_last(done[0])
    again = migrator.migrate_tenants(workers=1, schemas=schemas)
    states = {o.schema: o.state for o in again.outcomes}
    assert states == {done[0]: "current", next(s for s in schemas if s != done[0]): "migrated"}
    assert all(_has_last(s) and _recorded(s) for s in schemas)


def test_a_schema_of_unknown_state_is_checked_and_recorded(schemas):
    Tenant.objects.filter(schema_name=schemas[0]).update(migrations_fingerprint="")
    report = migrator.migrate_tenants(workers=1, schemas=schemas)
    states = {o.schema: o.state for o in report.outcomes}
    assert states == {schemas[0]: "recorded", schemas[1]: "current"}
    assert Tenant.objects.get(schema_name=schemas[0]).migrations_fingerprint == (
        migrations_fingerprint()
    )


def test_a_plan_sql_cannot_express_runs_through_django(schemas, monkeypatch):
    real = migrator._plan_for

    def not_sql(applied):
        plan = real(applied)
        return migrator._Plan(plan.migrations, None if plan.migrations else [])

    monkeypatch.setattr(migrator, "_plan_for", not_sql)
    _behind(schemas[0])
    report = migrator.migrate_tenants(workers=1, schemas=schemas[:1])
    [outcome] = report.outcomes
    assert (outcome.state, outcome.how) == ("migrated", "django"), outcome
    assert _has_last(schemas[0])
    assert _recorded(schemas[0])
