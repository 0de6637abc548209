"""Cache invalidation only: any write to a tenant or domain row tells every process's registry
which tenant (and host) changed, so each forgets just that (see tenants.registry). No business
logic here."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.models import Domain, Tenant
from tenants.registry import bump_generation


@receiver([post_save, post_delete], sender=Tenant)
def _tenant_changed(sender, instance: Tenant, **kwargs) -> None:
    bump_generation(instance.pk)


@receiver([post_save, post_delete], sender=Domain)
def _domain_changed(sender, instance: Domain, **kwargs) -> None:
    bump_generation(instance.tenant_id, host=instance.domain)
