"""Export one tenant (schema, row and hosts) to a file: ``manage.py tenant_export <slug>
[--output FILE] [--encrypt] [--purpose P --reason R]`` (default: the export folder, where the
file is always encrypted to EXPORT_RECIPIENTS). Seconds whatever the number of other tenants
(tenants.backup); ``tenant_restore`` brings the file back."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.models import Tenant
from tenants.provisioning import tenant_export


class Command(BaseCommand):
    help = "Export one tenant to a file that tenant_restore (or psql) restores."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", type=Path, help="the file (default: the export folder)")
        parser.add_argument(
            "--encrypt", action="store_true", help="encrypt --output too (EXPORT_RECIPIENTS)"
        )
        parser.add_argument("--purpose", default="", help="recorded in the platform's log")
        parser.add_argument("--reason", default="", help="recorded in the platform's log")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None or tenant.is_public:
            raise CommandError(f"no tenant {options['slug']!r}")
        started = time.perf_counter()
        try:
            path = tenant_export(
                tenant=tenant,
                actor="manage.py",
                target=options["output"],
                encrypt=True if options["encrypt"] else None,
                purpose=options["purpose"],
                reason=options["reason"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{path} ({path.stat().st_size:,} bytes, {time.perf_counter() - started:.2f} s)"
        )
