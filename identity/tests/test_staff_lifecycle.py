"""The administrator manages staff: roles (old and new value audited), a departing employee's
account closed (session, API token and the integration keys they made end at once), a lost
second factor reset (never one's own: the bypass the audit found stays closed), the last
administrator kept; integration keys made, listed and revoked (refused at the next request);
staff's own idle timeout. Only the administrator, only in their own tenant."""

import pytest
from django.db import connection
from django.test import Client

from identity.models import ApiKey, AuthEvent, SealedTOTPDevice, User
from identity.services import user_create
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"


@pytest.fixture
def admin(alpha):
    user = user_create(login="admin1", password=PASSWORD, role="tenant_admin", first_name="Ada")
    client = Client()
    login_verified_staff(client, HOST, user, PASSWORD)
    client.user = user
    return client


@pytest.fixture
def clerk(alpha):
    user = user_create(login="obsluga", password=PASSWORD, role="customer_service")
    client = Client()
    login_verified_staff(client, HOST, user, PASSWORD)
    client.user = user
    return client


def _import_status(key: str) -> int:
    return (
        Client()
        .get(
            "/api/v1/import/jobs/999999",
            HTTP_AUTHORIZATION=f"Api-Key {key}",
            HTTP_HOST=HOST,
        )
        .status_code
    )


def test_the_admin_changes_a_role_audited_with_old_and_new(admin, clerk):
    page = admin.get("/office/staff/", HTTP_HOST=HOST).content.decode()
    assert "obsluga" in page
    admin.post(f"/office/staff/{clerk.user.pk}/role", {"role": "accountant"}, HTTP_HOST=HOST)
    clerk.user.refresh_from_db()
    assert clerk.user.role == "accountant"
    event = AuthEvent.objects.get(kind="staff_role_changed")
    assert event.details == {
        "actor": "admin1",
        "changes": {"role": ["customer_service", "accountant"]},
    }
    # a role that is not a staff role changes nothing
    admin.post(f"/office/staff/{clerk.user.pk}/role", {"role": "customer"}, HTTP_HOST=HOST)
    clerk.user.refresh_from_db()
    assert clerk.user.role == "accountant"


def test_closing_a_departing_employees_account_ends_everything_at_once(admin, clerk):
    made = ApiKey.objects.create(
        name="ERP", prefix="zzzzzzzz", key_hash="z" * 64, created_by=clerk.user
    )
    api = Client()
    token = (
        api.post(
            "/api/v1/auth/login",
            {"login": "obsluga", "password": PASSWORD},
            content_type="application/json",
            HTTP_HOST=HOST,
        )
        .json()
        .get("token")
    )
    assert clerk.get("/office/", HTTP_HOST=HOST).status_code == 200
    admin.post(
        f"/office/staff/{clerk.user.pk}/deactivate", {"reason": "Koniec umowy"}, HTTP_HOST=HOST
    )
    clerk.user.refresh_from_db()
    assert not clerk.user.is_active
    assert clerk.get("/office/", HTTP_HOST=HOST)["Location"].startswith("/login/")
    if token:
        me = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST=HOST)
        assert me.status_code == 401
    made.refresh_from_db()
    assert made.revoked_at is not None
    event = AuthEvent.objects.get(kind="staff_deactivated")
    assert event.details["actor"] == "admin1"
    assert event.details["reason"] == "Koniec umowy"
    admin.post(f"/office/staff/{clerk.user.pk}/reactivate", HTTP_HOST=HOST)
    clerk.user.refresh_from_db()
    assert clerk.user.is_active


def test_oneself_is_kept_and_another_administrator_may_be_closed(admin, alpha):
    other = user_create(login="admin2", password=PASSWORD, role="tenant_admin")
    assert (
        admin.post(f"/office/staff/{admin.user.pk}/deactivate", HTTP_HOST=HOST).status_code == 302
    )
    admin.user.refresh_from_db()
    assert admin.user.is_active  # not oneself
    admin.post(f"/office/staff/{admin.user.pk}/role", {"role": "technician"}, HTTP_HOST=HOST)
    admin.user.refresh_from_db()
    assert admin.user.role == "tenant_admin"
    admin.post(f"/office/staff/{other.pk}/deactivate", HTTP_HOST=HOST)
    other.refresh_from_db()
    assert not other.is_active


def test_the_last_active_administrator_is_never_closed(alpha):
    from core.errors import ApplicationError
    from identity.services import staff_deactivate

    last = user_create(login="admin1", password=PASSWORD, role="tenant_admin")
    # an administrator whose own account was closed meanwhile (a stale session) acts
    stale = user_create(login="admin0", password=PASSWORD, role="tenant_admin")
    User.objects.filter(pk=stale.pk).update(is_active=False)
    with pytest.raises(ApplicationError) as refused:
        staff_deactivate(user=last, actor=stale)
    assert refused.value.status == 403
    last.refresh_from_db()
    assert last.is_active


def test_a_lost_second_factor_is_reset_by_the_admin_never_by_oneself(admin, clerk):
    assert SealedTOTPDevice.objects.filter(user=clerk.user, confirmed=True).exists()
    refused = clerk.post(f"/office/staff/{clerk.user.pk}/second-factor-reset", HTTP_HOST=HOST)
    assert refused.status_code == 403
    own = admin.post(f"/office/staff/{admin.user.pk}/second-factor-reset", HTTP_HOST=HOST)
    assert own.status_code == 302
    assert SealedTOTPDevice.objects.filter(user=admin.user, confirmed=True).exists()
    admin.post(f"/office/staff/{clerk.user.pk}/second-factor-reset", HTTP_HOST=HOST)
    assert not SealedTOTPDevice.objects.filter(user=clerk.user).exists()
    event = AuthEvent.objects.get(kind="two_factor_reset")
    assert event.details == {"actor": "admin1"}
    # the clerk logs in again and must enrol a new authenticator
    fresh = Client()
    login(fresh, HOST, "obsluga", PASSWORD)
    landed = fresh.get("/office/", HTTP_HOST=HOST, follow=True)
    assert landed.request["PATH_INFO"] == "/account/2fa/enrol/"


def test_keys_made_listed_and_revoked_at_the_next_request(admin):
    page = admin.post("/office/api-keys/", {"name": "ERP nocny eksport"}, HTTP_HOST=HOST)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    key = html.split("<code>")[1].split("</code>")[0]
    assert key.startswith("ebk_")
    assert _import_status(key) == 404  # accepted (the job does not exist)
    row = ApiKey.objects.get(name="ERP nocny eksport")
    assert row.created_by == admin.user
    listed = admin.get("/office/api-keys/", HTTP_HOST=HOST).content.decode()
    assert key not in listed  # shown once
    assert row.prefix in listed
    admin.post(f"/office/api-keys/{row.pk}/revoke", HTTP_HOST=HOST)
    assert _import_status(key) == 401
    assert AuthEvent.objects.filter(kind="api_key_revoked").count() == 1
    empty = admin.post("/office/api-keys/", {"name": "  "}, HTTP_HOST=HOST)
    assert empty.status_code == 400
    assert ApiKey.objects.count() == 1


def test_only_the_admin_and_never_across_tenants(clerk, admin, tenants):
    assert clerk.get("/office/staff/", HTTP_HOST=HOST).status_code == 403
    assert clerk.get("/office/api-keys/", HTTP_HOST=HOST).status_code == 403
    connection.set_tenant(tenants.b)
    beta_staff = user_create(login="obsluga-b", password=PASSWORD, role="customer_service")
    beta_key = ApiKey.objects.create(name="B", prefix="bbbbbbbb", key_hash="q" * 64)
    connection.set_tenant(tenants.a)
    assert admin.post(f"/office/staff/{beta_staff.pk}/deactivate", HTTP_HOST=HOST).status_code in (
        302,
        404,
    )
    assert admin.post(f"/office/api-keys/{beta_key.pk}/revoke", HTTP_HOST=HOST).status_code == 404
    connection.set_tenant(tenants.b)
    beta_staff.refresh_from_db()
    beta_key.refresh_from_db()
    assert beta_staff.is_active
    assert beta_key.revoked_at is None
    connection.set_tenant(tenants.a)


def test_staff_have_their_own_idle_timeout(clerk, set_config):
    from identity.middleware import idle_timeout_seconds

    set_config(session__idle_timeout_minutes=60, session__staff_idle_timeout_minutes=5)
    assert idle_timeout_seconds(clerk.user) == 5 * 60
    customer = User(role="customer")
    assert idle_timeout_seconds(customer) == 60 * 60
