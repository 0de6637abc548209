"""Create the public tenant and the platform's root domain (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from tenants import policies
from tenants.models import Domain, Tenant
from tenants.presets import preset
from tenants.template import template_refresh


class Command(BaseCommand):
    help = (
        "Create the public tenant (schema 'public') and the platform's root domain, and refresh "
        "the template new tenant schemas are made from when the migrations changed."
    )

    def handle(self, *args, **options) -> None:
        self._platform()
        # Outside the transaction: pg_dump (another connection) reads the migrated template.

        template = template_refresh()
        self.stdout.write(
            f"tenant schema template {template}" if template else "no tenant schema template"
        )

    @transaction.atomic
    def _platform(self) -> None:
        public, created = Tenant.objects.get_or_create(
            schema_name=settings.PUBLIC_SCHEMA_NAME,
            defaults={
                "name": "ebok",
                "slug": "public",
                "kind": Tenant.Kind.OTHER,
                "preset": "B",
                "config": policies.config_to_json(preset("B", name="ebok")),
            },
        )
        Domain.objects.get_or_create(
            domain=settings.PLATFORM_DOMAIN, defaults={"tenant": public, "is_primary": True}
        )
        self.stdout.write(
            f"public tenant {'created' if created else 'present'}; "
            f"root host {settings.PLATFORM_DOMAIN}"
        )
