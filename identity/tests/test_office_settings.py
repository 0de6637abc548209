"""Every rule a preset sets is editable by the tenant's administrator in the office: each
preset's rules are saved unchanged through the forms (the forms accept every preset value and
the save changes nothing), a change is audited with its old and new value, a value outside the
type's limits or a configuration that does not hold together is refused with a message and
changes nothing, choices weaker than ASVS are flagged; only the administrator, only their own
tenant."""

import pytest
from django.db import connection
from django.test import Client

from identity.office.settings import SECTIONS, _initial
from identity.services import user_create
from identity.tests.conftest import login_verified_staff
from tenants.models import Tenant, TenantSettingChange
from tenants.policies import config_to_json
from tenants.presets import preset

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"


@pytest.fixture
def admin(alpha):
    user = user_create(login="admin1", password=PASSWORD, role="tenant_admin")
    client = Client()
    login_verified_staff(client, HOST, user, PASSWORD)
    return client


def _post_data(initial: dict) -> dict:
    data = {}
    for name, value in initial.items():
        if value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


def _use_preset(tenants, code: str, django_capture_on_commit_callbacks) -> None:
    tenant = Tenant.objects.get(pk=tenants.a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tenant.config = config_to_json(preset(code, name="Alfa", short_name="Alfa"))
        tenant.save(update_fields=["config"])


@pytest.mark.parametrize("code", ["A", "B", "C", "D", "E"])
def test_every_presets_rules_are_saved_unchanged_through_the_office(
    code, admin, tenants, django_capture_on_commit_callbacks
):
    _use_preset(tenants, code, django_capture_on_commit_callbacks)
    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    before = TenantSettingChange.objects.count()
    for group in SECTIONS:
        page = admin.get(f"/office/settings/{group}/", HTTP_HOST=HOST)
        assert page.status_code == 200, group
        saved = admin.post(
            f"/office/settings/{group}/", _post_data(_initial(config, group)), HTTP_HOST=HOST
        )
        assert saved.status_code == 302, (code, group, saved.content.decode()[-3000:])
    assert TenantSettingChange.objects.count() == before


def test_a_change_is_audited_with_old_and_new(admin, tenants):
    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    data = _post_data(_initial(config, "password_policy")) | {"min_length": "12"}
    response = admin.post("/office/settings/password_policy/", data, HTTP_HOST=HOST)
    assert response.status_code == 302
    change = TenantSettingChange.objects.get(tenant_id=tenants.a.pk, key="password_policy")
    assert change.old_value["min_length"] == config.password_policy.min_length
    assert change.new_value["min_length"] == 12
    assert change.actor.startswith("admin1")
    assert Tenant.objects.get(pk=tenants.a.pk).configuration.password_policy.min_length == 12


def test_values_out_of_limits_or_not_holding_together_are_refused(admin, tenants):
    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    base = _post_data(_initial(config, "password_policy"))
    too_short = admin.post(
        "/office/settings/password_policy/", base | {"min_length": "5"}, HTTP_HOST=HOST
    )
    assert too_short.status_code == 400
    assert 'class="error-summary"' in too_short.content.decode()
    crossed = admin.post(
        "/office/settings/password_policy/",
        base | {"min_length": "20", "max_length": "10"},
        HTTP_HOST=HOST,
    )
    assert crossed.status_code == 400
    assert (
        "id_max_length_error" in crossed.content.decode()
        or "max_length" in crossed.content.decode()
    )
    assert not TenantSettingChange.objects.filter(key="password_policy").exists()


def test_weaker_than_asvs_is_flagged(admin, tenants, django_capture_on_commit_callbacks):
    _use_preset(tenants, "B", django_capture_on_commit_callbacks)  # 6 characters allowed
    page = admin.get("/office/settings/", HTTP_HOST=HOST).content.decode()
    assert "ASVS 2.1.1" in page


def test_modules_are_chosen_in_the_office(admin, tenants):
    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    kept = [str(m) for m in config.modules][:-1]
    admin.post("/office/settings/modules/", {"modules": kept}, HTTP_HOST=HOST)
    assert [str(m) for m in Tenant.objects.get(pk=tenants.a.pk).configuration.modules] == kept


def test_only_the_admin_and_only_their_tenant(admin, staff, tenants):
    clerk = Client()
    login_verified_staff(clerk, HOST, staff, PASSWORD)
    assert clerk.get("/office/settings/", HTTP_HOST=HOST).status_code == 403
    assert admin.get("/office/settings/nonsense/", HTTP_HOST=HOST).status_code == 404
    before = Tenant.objects.get(pk=tenants.b.pk).config
    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    data = _post_data(_initial(config, "lockout")) | {"threshold": "7"}
    admin.post("/office/settings/lockout/", data, HTTP_HOST=HOST)
    assert Tenant.objects.get(pk=tenants.b.pk).config == before
    assert Tenant.objects.get(pk=tenants.a.pk).configuration.lockout.threshold == 7
    connection.set_tenant(tenants.a)


def test_the_platform_log_shows_only_what_a_group_write_changed(admin, tenants):
    from tenants.selectors import platform_audit_log

    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    data = _post_data(_initial(config, "lockout")) | {"threshold": "9"}
    admin.post("/office/settings/lockout/", data, HTTP_HOST=HOST)
    row = next(r for r in platform_audit_log(tenant=tenants.a) if "lockout" in str(r["kind"]))
    assert row["details"] == [("lockout.threshold", f"{config.lockout.threshold} → 9")]


def test_a_change_is_in_the_offices_own_log_in_words(admin, tenants):
    from identity.models import AuthEvent

    config = Tenant.objects.get(pk=tenants.a.pk).configuration
    data = _post_data(_initial(config, "session")) | {"staff_idle_timeout_minutes": "10"}
    admin.post("/office/settings/session/", data, HTTP_HOST=HOST)
    event = AuthEvent.objects.get(kind="settings_changed")
    assert event.details["changes"] == {
        "session.staff_idle_timeout_minutes": [config.session.staff_idle_timeout_minutes, 10]
    }
    log = admin.get("/office/audit/", {"kind": "settings_changed"}, HTTP_HOST=HOST)
    assert "Sesje: Minuty bezczynności pracownika do wylogowania" in log.content.decode()
