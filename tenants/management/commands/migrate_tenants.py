"""The deploy's tenant migrations (tenants.migrator): every schema behind the code brought to it,
in parallel, each schema all or nothing; one line per schema at the end, and exit status 1 when
any schema failed (the others are migrated). Run after ``migrate_schemas --shared`` and
``bootstrap_platform``; rerun after an interruption."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tenants.migrator import migrate_tenants


class Command(BaseCommand):
    help = "Migrate every tenant schema behind the code, in parallel; exit 1 if any failed."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--workers", type=int, default=None, help="processes (default: one per core)"
        )
        parser.add_argument("--schema", action="append", dest="schemas", help="only these")
        parser.add_argument(
            "--changes-only", action="store_true", help="list only schemas that were not current"
        )

    def handle(self, *args, workers=None, schemas=None, changes_only=False, **options) -> None:
        report = migrate_tenants(workers=workers, schemas=schemas)
        for outcome in report.outcomes:
            if changes_only and outcome.state == "current":
                continue
            line = f"{outcome.schema}: {outcome.state}"
            if outcome.state == "migrated":
                line += f" ({outcome.how}, {', '.join(outcome.applied)}, {outcome.milliseconds} ms)"
            elif outcome.state == "failed":
                line += f": {outcome.error}"
            self.stdout.write(line)
        self.stdout.write(
            f"{len(report.outcomes)} schemas in {report.seconds:.2f} s: "
            f"{report.count('current')} current, {report.count('recorded')} recorded, "
            f"{report.count('migrated')} migrated, {len(report.failed)} failed"
        )
        if report.failed:
            raise SystemExit(1)
