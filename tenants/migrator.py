"""Tenant migrations at thousands of schemas: the deploy's runner (``manage.py migrate_tenants``).

django-tenants' ``migrate_schemas`` runs Django's whole ``migrate`` per schema: it builds the
migration state and asks the catalogue for every table list, about a second per schema even with
nothing to apply, and the catalogue grows with the number of tenants. This runner instead:

- records on each tenant the fingerprint of the migrations its schema is at
  (``Tenant.migrations_fingerprint``, the one ``tenants.template`` computes), so that **one query**
  finds the schemas behind the code and the rest cost nothing;
- reads each behind schema's applied migrations (one small query), and for each distinct state
  computes Django's plan and its SQL **once** (``MigrationLoader.collect_sql``, run against
  the first schema in that state), then replays that SQL in every other schema of the same state:
  a schema's DDL, its ``django_migrations`` rows and its recorded fingerprint are one
  transaction, so a run that is killed leaves every schema migrated or untouched, and a rerun
  completes it;
- runs a plan that cannot be written as SQL (``RunPython``, a non-atomic migration) through
  django-tenants' own ``migrate_schemas`` for that schema;
- spreads the schemas over worker processes; a schema that fails is reported with its error and
  the others go on; the command then exits 1.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from tenants.models import Tenant
from tenants.template import migrations_fingerprint


@dataclass
class Outcome:
    schema: str
    state: str  # "current", "recorded" (was complete, now known), "migrated", "failed"
    applied: list[str] = field(default_factory=list)
    milliseconds: float = 0.0
    how: str = ""  # "sql" (replayed) or "django" (migrate_schemas), for "migrated"
    error: str = ""


@dataclass
class Report:
    outcomes: list[Outcome]
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == "failed"]

    def count(self, state: str) -> int:
        return sum(1 for o in self.outcomes if o.state == state)


@dataclass
class _Plan:
    migrations: list  # Django Migration objects, in order
    sql: list[str] | None  # None: not reducible to SQL (run by Django)


def schemas_behind(fingerprint: str) -> list[str]:
    """Every tenant schema not recorded at ``fingerprint``: one query."""
    return list(
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .exclude(migrations_fingerprint=fingerprint)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def migrate_tenants(
    *,
    workers: int | None = None,
    schemas: Iterable[str] | None = None,
    on_schema: Callable[[Outcome], None] | None = None,
) -> Report:
    """Bring every tenant schema (or those named) to the code's migrations; see the module."""
    started = time.perf_counter()
    fingerprint = migrations_fingerprint()
    behind = schemas_behind(fingerprint)
    if schemas is not None:
        wanted = set(schemas)
        behind = [s for s in behind if s in wanted]
    everyone = Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
    current = [
        Outcome(schema, "current")
        for schema in everyone.exclude(schema_name__in=behind)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
        if schemas is None or schema in set(schemas)
    ]
    workers = max(1, min(workers or os.cpu_count() or 1, len(behind)))
    if workers == 1:
        outcomes = _migrate_some(behind, fingerprint, on_schema)
    else:
        # Each worker takes every n-th schema (schemas of one state spread evenly) on its own
        # connection; the parent's connection is closed so that no child inherits it.
        connections.close_all()
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            parts = pool.map(_worker, [(behind[i::workers], fingerprint) for i in range(workers)])
            outcomes = [o for part in parts for o in part]
        if on_schema:
            for outcome in outcomes:
                on_schema(outcome)
    connection.set_schema_to_public()
    return Report(sorted(current + outcomes, key=lambda o: o.schema), time.perf_counter() - started)


def _worker(args: tuple[list[str], str]) -> list[Outcome]:
    schemas, fingerprint = args
    connections.close_all()  # a fresh connection in this process
    try:
        return _migrate_some(schemas, fingerprint, None)
    finally:
        connections.close_all()


def _migrate_some(
    schemas: list[str], fingerprint: str, on_schema: Callable[[Outcome], None] | None
) -> list[Outcome]:
    plans: dict[frozenset, _Plan] = {}
    outcomes = []
    for schema in schemas:
        outcome = _migrate_one(schema, fingerprint, plans)
        outcomes.append(outcome)
        if on_schema:
            on_schema(outcome)
    return outcomes


def _migrate_one(schema: str, fingerprint: str, plans: dict[frozenset, _Plan]) -> Outcome:
    started = time.perf_counter()
    try:
        connection.set_schema(schema, include_public=True)
        # Read outside the transaction: the search path is then set for good, and a schema
        # whose transaction fails cannot leave the connection in another schema than it thinks.
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = frozenset(cursor.fetchall())
        plan = plans.get(applied)
        if plan is None:
            plan = plans[applied] = _plan_for(applied)
        if not plan.migrations:
            _record(schema, fingerprint)
            return Outcome(schema, "recorded", milliseconds=_ms(started))
        names = [f"{m.app_label}.{m.name}" for m in plan.migrations]
        if plan.sql is None:
            call_command(
                "migrate_schemas",
                tenant=True,
                schema_name=schema,
                interactive=False,
                verbosity=0,
            )
            connection.set_schema(schema, include_public=True)
            _record(schema, fingerprint)
            how = "django"
        else:
            with transaction.atomic(), connection.cursor() as cursor:
                # No wait for the WAL flush at each schema's commit: a crash may lose the last
                # few commits, never a part of one (the schema, its records and its fingerprint
                # go together), and the rerun of a deploy applies what was lost.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                for statement in plan.sql:
                    cursor.execute(statement)
                cursor.executemany(
                    "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())",
                    [(app, name) for m in plan.migrations for app, name in _recorded_as(m)],
                )
                _record(schema, fingerprint)
            how = "sql"
        return Outcome(schema, "migrated", names, _ms(started), how)
    except Exception as exc:  # noqa: BLE001 - one schema's failure is reported, the rest go on
        return Outcome(schema, "failed", milliseconds=_ms(started), error=str(exc)[:500])


def _plan_for(applied: frozenset) -> _Plan:
    """The plan that brings a schema with ``applied`` migrations to the code's, and its SQL,
    made against the connection's current schema (which is in that state)."""
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    steps = executor.migration_plan(targets)
    if any(backwards for _migration, backwards in steps):
        raise RuntimeError("the code's migrations are behind this schema's")
    migrations = [migration for migration, _backwards in steps]
    reducible = all(
        migration.atomic and all(op.reduces_to_sql for op in migration.operations)
        for migration in migrations
    )
    if not reducible or not migrations:
        return _Plan(migrations, None if migrations else [])
    return _Plan(migrations, [s for s in map(_statement, executor.loader.collect_sql(steps)) if s])


def _statement(collected: str) -> str:
    """A collected statement without the comment lines Django puts between operations."""
    return "\n".join(
        line for line in collected.splitlines() if not line.lstrip().startswith("--")
    ).strip()


def _recorded_as(migration) -> list[tuple[str, str]]:
    """The rows Django records for a migration (a squashed one: the ones it replaces)."""
    if migration.replaces:
        return [(app, name) for app, name in migration.replaces]
    return [(migration.app_label, migration.name)]


def _record(schema: str, fingerprint: str) -> None:
    Tenant.objects.filter(schema_name=schema).update(migrations_fingerprint=fingerprint)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
