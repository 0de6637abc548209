"""Cache invalidation only: any write to a tenant or domain row bumps the registry generation,
so every process re-reads it (see tenants.registry). No business logic here."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.models import Domain, Tenant
from tenants.registry import bump_generation


@receiver([post_save, post_delete], sender=Tenant)
@receiver([post_save, post_delete], sender=Domain)
def _tenant_rows_changed(sender, **kwargs) -> None:
    bump_generation()
