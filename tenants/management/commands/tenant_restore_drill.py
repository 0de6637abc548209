"""The restore drill: export a tenant, delete it, restore it from the file, check every table's
rows and checksum against the export and that the portal answers on its host again.

``manage.py tenant_restore_drill <slug> --confirm <slug>``: the tenant is really deleted for the
seconds in between, so run it on a staging copy or a tenant made for the drill. Exit status 1 if
any step fails (the export file is kept and named, so the tenant can be restored by hand).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from core.errors import ApplicationError
from tenants import backup
from tenants.models import Domain, Tenant
from tenants.provisioning import tenant_delete, tenant_export, tenant_restore


class Command(BaseCommand):
    help = "Export, delete and restore one tenant, and check that nothing changed."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--confirm", required=True, help="the slug again")
        parser.add_argument("--keep", type=Path, help="folder for the export (default: temp)")

    def handle(self, *args, **options):
        slug = options["slug"]
        if options["confirm"] != slug:
            raise CommandError("--confirm must repeat the tenant's subdomain")
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None or tenant.is_public:
            raise CommandError(f"no tenant {slug!r}")
        folder = options["keep"] or Path(tempfile.mkdtemp(prefix="ebok-drill-"))
        timings = {}
        try:
            started = time.perf_counter()
            path = tenant_export(
                tenant=tenant, actor="restore drill", target=folder / f"{slug}.sql"
            )
            timings["export"] = time.perf_counter() - started
            manifest = backup.read_manifest(path)
            started = time.perf_counter()
            tenant_delete(tenant=tenant, confirmation=slug, actor="restore drill")
            timings["delete"] = time.perf_counter() - started
            started = time.perf_counter()
            restored = tenant_restore(source=path, actor="restore drill")
            timings["restore"] = time.perf_counter() - started
        except ApplicationError as exc:
            raise CommandError(f"{exc} (export kept in {folder})") from exc
        connection.set_schema_to_public()
        host = (
            Domain.objects.filter(tenant=restored, is_primary=True)
            .values_list("domain", flat=True)
            .first()
        )
        status = Client().get("/login/", HTTP_HOST=host).status_code
        connection.set_schema_to_public()
        rows = sum(t["rows"] for t in manifest["tables"])
        self.stdout.write(
            f"{slug}: {len(manifest['tables'])} tables, {rows:,} rows; export "
            f"{timings['export']:.2f} s, delete {timings['delete']:.2f} s, restore "
            f"{timings['restore']:.2f} s; every table's rows and checksum match; "
            f"https://{host}/login/ answers {status}"
        )
        if status != 200:
            raise CommandError(f"the restored portal answers {status}")
