"""The audited write path for tenant settings."""

import pytest

from core.errors import ApplicationError
from tenants.models import Tenant, TenantSettingChange
from tenants.registry import tenant_for_host
from tenants.services import tenant_create, tenant_setting_set

pytestmark = pytest.mark.django_db


def test_setting_change_is_written_audited_and_seen_by_the_registry(
    tenants, django_capture_on_commit_callbacks
):
    before = tenant_for_host("alpha.localhost")
    assert before.configuration.password_policy.min_length == 8
    with django_capture_on_commit_callbacks(execute=True):
        changed = tenant_setting_set(
            tenant=tenants.a, key="password_policy.min_length", value=10, actor="operator@test"
        )
    assert changed is True
    audit = TenantSettingChange.objects.filter(tenant=tenants.a, key="password_policy.min_length")
    assert [(r.old_value, r.new_value, r.actor) for r in audit] == [(8, 10, "operator@test")]
    assert Tenant.objects.get(pk=tenants.a.pk).configuration.password_policy.min_length == 10
    assert tenant_for_host("alpha.localhost").configuration.password_policy.min_length == 10


def test_unchanged_value_writes_nothing(tenants):
    count = TenantSettingChange.objects.count()
    assert (
        tenant_setting_set(tenant=tenants.a, key="lockout.threshold", value=5, actor="x") is False
    )
    assert TenantSettingChange.objects.count() == count


def test_whole_group_can_be_replaced(tenants):
    branding = dict(
        tenants.b.config["branding"], portal_name="Nowa nazwa", primary_colour="#112233"
    )
    assert tenant_setting_set(tenant=tenants.b, key="branding", value=branding, actor="x")
    fresh = Tenant.objects.get(pk=tenants.b.pk).configuration.branding
    assert (fresh.portal_name, fresh.primary_colour) == ("Nowa nazwa", "#112233")


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("password_policy.min_length", "eight", "invalid_setting"),
        ("password_policy.max_length", 3, "invalid_setting"),
        ("password_policy.no_special", True, "invalid_setting"),  # preset A requires one
        ("lockout.threshold", 0, "invalid_setting"),
        ("modules", ["charges", "teleportation"], "invalid_setting"),
        ("languages", ["en", "pl"], "invalid_setting"),
        ("branding.primary_colour", "red", "invalid_setting"),
        ("password_policy.colour", 1, "unknown_setting"),
        ("nonsense", 1, "unknown_setting"),
    ],
)
def test_invalid_values_are_refused_and_change_nothing(tenants, key, value, code):
    config_before = Tenant.objects.get(pk=tenants.a.pk).config
    audit_before = TenantSettingChange.objects.count()
    with pytest.raises(ApplicationError) as excinfo:
        tenant_setting_set(tenant=tenants.a, key=key, value=value, actor="x")
    assert excinfo.value.code == code
    assert Tenant.objects.get(pk=tenants.a.pk).config == config_before
    assert TenantSettingChange.objects.count() == audit_before


@pytest.mark.parametrize("slug", ["www", "console", "Bad_Slug", "-x", "a" * 64, "alpha"])
def test_tenant_create_refuses_reserved_taken_or_malformed_subdomains(tenants, slug):
    with pytest.raises(ApplicationError):
        tenant_create(name="X", slug=slug)
