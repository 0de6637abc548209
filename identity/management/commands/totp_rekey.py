from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.utils import ProgrammingError
from django_tenants.utils import schema_context

from core.sealing import InvalidToken, reseal, sealed_fields
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Re-encrypt every sealed secret (TOTP keys, the operators' in public and every "
        "tenant's; payment gateway keys) with the first key of TOTP_ENCRYPTION_KEYS; run after "
        "putting a new key first, before removing the old one. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        total = unreadable = 0
        for schema in Tenant.objects.order_by("pk").values_list("schema_name", flat=True):
            for label, field in sealed_fields():
                model = apps.get_model(label)
                try:
                    with schema_context(schema), transaction.atomic():
                        for row in model.objects.select_for_update().only(field):
                            try:
                                setattr(row, field, reseal(getattr(row, field)))
                            except InvalidToken:
                                unreadable += 1
                                self.stderr.write(f"{schema}: {label} {row.pk} opens with no key")
                                continue
                            row.save(update_fields=[field])
                            total += 1
                except ProgrammingError:
                    continue  # a tenant-only table has no rows in the public schema
        self.stdout.write(f"re-encrypted {total} secrets; {unreadable} could not be opened")
        if unreadable:
            raise SystemExit(1)
