"""Restore a tenant from its export: ``manage.py tenant_restore FILE [--identity KEYFILE]`` (an
encrypted export, ``.sql.age``, is opened with the private key in KEYFILE). Its subdomain, schema
and hosts must be free (restore after a deletion, or into another database); every table's rows
and checksum are compared with the export's manifest, and nothing is kept if one differs."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.provisioning import tenant_restore


class Command(BaseCommand):
    help = "Restore a tenant from a file made by tenant_export."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--identity",
            type=Path,
            help="the age private key an encrypted export (.sql.age) was encrypted for",
        )
        parser.add_argument(
            "--trust-file-ddl",
            action="store_true",
            help="an export taken at older migrations: run the file's own DDL (only for a file "
            "you made), then run migrate_tenants",
        )

    def handle(self, *args, **options):
        if not options["file"].is_file():
            raise CommandError(f"no file {options['file']}")
        started = time.perf_counter()
        try:
            tenant = tenant_restore(
                source=options["file"],
                actor="manage.py",
                trust_file_ddl=options["trust_file_ddl"],
                identity=Path(options["identity"]) if options["identity"] else None,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {tenant.slug} (schema {tenant.schema_name}) in "
            f"{time.perf_counter() - started:.2f} s; every table matches the export"
        )
