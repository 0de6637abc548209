from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from identity.models import SealedTOTPDevice
from identity.twofactor.sealing import InvalidToken, reseal
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Re-encrypt every TOTP secret (the operators' in public and every tenant's) with the "
        "first key of TOTP_ENCRYPTION_KEYS; run after putting a new key first, before removing "
        "the old one. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        total = unreadable = 0
        for schema in Tenant.objects.order_by("pk").values_list("schema_name", flat=True):
            with schema_context(schema), transaction.atomic():
                for device in SealedTOTPDevice.objects.select_for_update().only("sealed_key"):
                    try:
                        device.sealed_key = reseal(device.sealed_key)
                    except InvalidToken:
                        unreadable += 1
                        self.stderr.write(f"{schema}: device {device.pk} opens with no key")
                        continue
                    device.save(update_fields=["sealed_key"])
                    total += 1
        self.stdout.write(f"re-encrypted {total} TOTP secrets; {unreadable} could not be opened")
        if unreadable:
            raise SystemExit(1)
