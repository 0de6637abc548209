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
        # Provisioned, being set up by its administrator: staff work, customers cannot register.
        ONBOARDING = "onboarding", _("Onboarding")
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
    nip = models.CharField(_("NIP"), max_length=10, blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The fingerprint of the migrations its schema is at (tenants.template): the deploy's runner
    # (tenants.migrator) finds the schemas behind the code in one query. Empty: not yet known.
    migrations_fingerprint = models.CharField(max_length=64, blank=True, db_default="")

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["onboarding", "active", "suspended"]),
                name="tenant_status_valid",
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
    def is_onboarding(self) -> bool:
        return self.status == self.Status.ONBOARDING

    @property
    def has_configuration(self) -> bool:
        """Whether the tenant has a configuration (the platform's own row has none); does not
        load the raw JSON the registry let go."""
        return "_configuration" in self.__dict__ or bool(self.config)

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


class SignupRequest(models.Model):
    """An organisation's self-service signup: kept from the form through the e-mail confirmation
    to the provisioned tenant. Nothing is created before the e-mail address is confirmed."""

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("Waiting for the e-mail confirmation")
        QUEUED = "queued", _("Confirmed, waiting to be set up")
        PROVISIONING = "provisioning", _("Being set up")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Step(models.IntegerChoices):
        NOT_STARTED = 0, _("Waiting to start")
        SCHEMA = 1, _("Creating the database schema")
        CONFIGURATION = 2, _("Applying the preset and branding")
        ADMINISTRATOR = 3, _("Creating the administrator's account")
        DONE = 4, _("Done")

    public_id = models.UUIDField(unique=True, editable=False)
    organisation_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Tenant.Kind.choices)
    preset = models.CharField(max_length=1)
    nip = models.CharField(max_length=10)
    regon = models.CharField(max_length=14, blank=True)
    address = models.CharField(max_length=300)
    admin_first_name = models.CharField(max_length=150)
    admin_last_name = models.CharField(max_length=150)
    admin_email = models.EmailField()
    slug = models.CharField(max_length=63)
    language = models.CharField(max_length=5, default="pl")
    terms_version = models.CharField(max_length=20)
    terms_accepted_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.AWAITING_CONFIRMATION
    )
    step = models.PositiveSmallIntegerField(choices=Step.choices, default=Step.NOT_STARTED)
    error = models.CharField(max_length=300, blank=True)
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="signups"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "awaiting_confirmation",
                        "queued",
                        "provisioning",
                        "ready",
                        "failed",
                    ]
                ),
                name="signup_status_valid",
            ),
            # Once confirmed, a request holds its subdomain until it is provisioned or fails.
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(status__in=["queued", "provisioning"]),
                name="signup_slug_held_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} ({self.status})"

    @property
    def progress_percent(self) -> int:
        return round(100 * self.step / self.Step.DONE)


class PlatformEvent(models.Model):
    """The platform's audit log: signups, provisioning, publication, suspension, domains,
    invitations, exports and removals. The tenant is kept by name too, so the record of a removed
    tenant stays readable."""

    class Kind(models.TextChoices):
        SIGNUP_REQUESTED = "signup_requested", _("Signup requested")
        SIGNUP_CONFIRMED = "signup_confirmed", _("Signup confirmed")
        TENANT_PROVISIONED = "tenant_provisioned", _("Tenant provisioned")
        PROVISIONING_FAILED = "provisioning_failed", _("Provisioning failed")
        TENANT_PUBLISHED = "tenant_published", _("Tenant published")
        TENANT_SUSPENDED = "tenant_suspended", _("Tenant suspended")
        TENANT_REACTIVATED = "tenant_reactivated", _("Tenant reactivated")
        DOMAIN_ADDED = "domain_added", _("Domain added")
        INVITATION_RESENT = "invitation_resent", _("Administrator invitation resent")
        TENANT_EXPORTED = "tenant_exported", _("Tenant exported")
        TENANT_EXPORT_DOWNLOADED = "tenant_export_downloaded", _("Tenant export downloaded")
        TENANT_DELETED = "tenant_deleted", _("Tenant deleted")
        TENANT_RESTORED = "tenant_restored", _("Tenant restored from an export")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="platform_events"
    )
    tenant_slug = models.CharField(max_length=63, blank=True)
    actor = models.CharField(max_length=200)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.tenant_slug}"


class ExportPurpose(models.TextChoices):
    """What an operator may export a tenant for (docs/security.md): the export holds every
    customer's personal data, so it is made for these purposes only, each with a reason."""

    CONTROLLER_REQUEST = (
        "controller_request",
        _(
            "The organisation asked for its data "
            "(e.g. at the end of the contract, art. 28(3)(g) GDPR)"
        ),
    )
    MIGRATION = "migration", _("Moving the portal to another server or database")
    RECOVERY = "recovery", _("Restoring the portal after a failure or a mistaken deletion")


class RetentionReport(models.Model):
    """What the nightly retention job deleted in one tenant on one day, counted per retention
    rule: the operators' view across tenants (each tenant's own, per holding, is identity's
    RetentionRun). Written by the job itself, from the tenant's schema."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="retention_reports")
    ran_on = models.DateField()
    deleted = models.PositiveIntegerField(default=0)
    # Rows past their time that records kept longer still name (they go with those).
    blocked = models.PositiveIntegerField(default=0)
    rules = models.JSONField(default=dict)  # retention rule's code: rows deleted under it
    finished_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-ran_on", "tenant_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "ran_on"], name="retention_report_once")
        ]

    def __str__(self) -> str:
        return f"retention {self.tenant_id} {self.ran_on}"


class SchemaTemplate(models.Model):
    """The DDL (and the rows migrations insert) of a tenant schema migrated to the code's current
    migrations, dumped from a template schema. New tenants replay it instead of running every
    migration; ``fingerprint`` names the set of migrations it was made from, so a template made
    by other code is never used (tenants.template)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.fingerprint[:12]


class RegistryChange(models.Model):
    """A change of a tenant, its domains or configuration, for every process's registry
    (tenants.registry): the processes forget just the tenants (and hosts) changed since the
    generation they knew. ``tenant_id`` is empty for a change of everything; rows older than
    two days are pruned (a process idle for longer forgets everything)."""

    generation = models.BigIntegerField(primary_key=True)
    tenant_id = models.BigIntegerField(null=True)  # no foreign key: deleted tenants stay named
    host = models.CharField(max_length=253, blank=True)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.generation}: {self.tenant_id} {self.host}"
