from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants import policies


class Tenant(TenantMixin):
    """An organisation: one PostgreSQL schema, its hosts, branding and policies."""

    class Kind(models.TextChoices):
        HOUSING_COOPERATIVE = "housing_cooperative", _("Housing cooperative")
        WATER_UTILITY = "water_utility", _("Water and sewage utility")
        ENERGY_SELLER = "energy_seller", _("Energy seller")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("subdomain"), max_length=63, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    preset = models.CharField(_("preset"), max_length=1, default="B")
    # The whole typed configuration (tenants.policies.TenantConfig) as JSON; written only through
    # tenants.services.tenant_setting_set / tenant_config_replace.
    config = models.JSONField(_("configuration"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "suspended"]), name="tenant_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def configuration(self) -> policies.TenantConfig:
        """The typed configuration, parsed once per tenant object (objects are cached per
        process by the registry, so this is not parsed per request)."""
        cached = self.__dict__.get("_configuration")
        if cached is None:
            cached = policies.config_from_json(self.config)
            self.__dict__["_configuration"] = cached
        return cached


class Domain(DomainMixin):
    """A host name of a tenant: ``<slug>.<PLATFORM_DOMAIN>`` or a custom domain."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class TenantSettingChange(models.Model):
    """Audit row of every configuration change: who changed which setting from what to what."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="setting_changes")
    key = models.CharField(max_length=100)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    # The acting user lives in the public schema (operator) or in the tenant's schema (tenant
    # admin), so it is recorded by description, not by foreign key.
    actor = models.CharField(max_length=200)
    actor_schema = models.CharField(max_length=63, default="public")
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.key}"
