"""2FA (enrolment, replay, backup codes) and the back-office's authorization matrix."""

import re

import pytest
from django.db import connection
from django_otp.oath import totp

from identity.models import AuthEvent, BackupCode, LoginLock
from identity.models import SealedTOTPDevice as TOTPDevice
from identity.services import user_create
from identity.tests.conftest import login

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:06d}"


def _enrol(client, user) -> list[str]:
    page = client.get("/account/2fa/enrol/", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/account/2fa/enrol/", {"code": _code(device)}, HTTP_HOST=HOST)
    assert done.status_code == 200
    return re.findall(r"<code>([A-Z0-9-]{14})</code>", done.content.decode())


def test_staff_must_enrol_before_reaching_the_office(client, staff):
    login(client, HOST, "obsluga", "BiUr42#ok")
    assert client.get("/office/", HTTP_HOST=HOST)["Location"] == "/account/2fa/"
    assert client.get("/account/2fa/", HTTP_HOST=HOST)["Location"] == "/account/2fa/enrol/"
    codes = _enrol(client, staff)
    assert len(codes) == 10
    assert client.get("/office/", HTTP_HOST=HOST).status_code == 200
    assert AuthEvent.objects.filter(kind="two_factor_enrolled", user=staff).exists()


def test_enrolled_staff_is_asked_for_the_code_at_every_login_and_a_code_works_once(client, staff):
    login(client, HOST, "obsluga", "BiUr42#ok")
    _enrol(client, staff)
    client.post("/logout/", HTTP_HOST=HOST)
    login(client, HOST, "obsluga", "BiUr42#ok")
    assert client.get("/office/", HTTP_HOST=HOST)["Location"] == "/account/2fa/"
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    used = _code(device)  # the code confirmed at enrolment: refused again (replay)
    assert client.post("/account/2fa/", {"code": used}, HTTP_HOST=HOST).status_code == 400
    assert AuthEvent.objects.filter(kind="two_factor_failed", user=staff).exists()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing, too
    device.last_t -= 1  # as if the next period's code were typed, without waiting 30 s
    device.throttling_failure_count = 0  # ... and the throttle's delay had passed
    device.save()
    assert client.post("/account/2fa/", {"code": used}, HTTP_HOST=HOST).status_code == 302
    assert client.get("/office/", HTTP_HOST=HOST).status_code == 200


def test_the_page_asked_for_before_login_opens_after_the_second_factor(client, staff):
    """#12 item 15: after the code staff landed on / instead of the /office/ they came for."""
    login(client, HOST, "obsluga", "BiUr42#ok")
    _enrol(client, staff)
    client.post("/logout/", HTTP_HOST=HOST)
    assert client.get("/office/accounts/", HTTP_HOST=HOST)["Location"] == (
        "/login/?next=/office/accounts/"
    )
    login(client, HOST, "obsluga", "BiUr42#ok", next="/office/accounts/")
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    device.last_t -= 1
    device.save()
    done = client.post("/account/2fa/", {"code": _code(device)}, HTTP_HOST=HOST)
    assert done["Location"] == "/office/accounts/"
    client.post("/logout/", HTTP_HOST=HOST)
    # A foreign target is never kept: the login page checks it first.
    login(client, HOST, "obsluga", "BiUr42#ok", next="https://evil.example/")
    device.refresh_from_db()
    device.last_t -= 1
    device.save()
    assert client.post("/account/2fa/", {"code": _code(device)}, HTTP_HOST=HOST)["Location"] == "/"


def test_a_target_without_gates_is_not_kept_for_later(client, customer):
    """After a login with nothing to pass, the page asked for opens at once and is not kept:
    a later password change does not lead there."""
    done = login(client, HOST, "L0000001", "RyBa18$05", next="/account/")
    assert done["Location"] == "/account/"
    changed = client.post(
        "/account/password/",
        {
            "current_password": "RyBa18$05",
            "new_password": "NoWe18$haslo",
            "new_password_repeat": "NoWe18$haslo",
        },
        HTTP_HOST=HOST,
    )
    assert changed["Location"] == "/"


def test_backup_codes_are_hashed_and_work_once(client, staff):
    login(client, HOST, "obsluga", "BiUr42#ok")
    codes = _enrol(client, staff)
    stored = list(BackupCode.objects.filter(user=staff).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    client.post("/logout/", HTTP_HOST=HOST)
    login(client, HOST, "obsluga", "BiUr42#ok")
    assert client.post("/account/2fa/", {"code": codes[0]}, HTTP_HOST=HOST).status_code == 302
    client.post("/logout/", HTTP_HOST=HOST)
    login(client, HOST, "obsluga", "BiUr42#ok")
    assert client.post("/account/2fa/", {"code": codes[0]}, HTTP_HOST=HOST).status_code == 400


def test_customer_2fa_is_optional_unless_the_tenant_requires_it(
    client, customer, tenants, django_capture_on_commit_callbacks
):
    from tenants.services import tenant_setting_set

    login(client, HOST, "L0000001", "RyBa18$05")
    assert client.get("/account/", HTTP_HOST=HOST).status_code == 200
    client.post("/logout/", HTTP_HOST=HOST)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a, key="session.require_2fa_for_everyone", value=True, actor="t"
        )
    login(client, HOST, "L0000001", "RyBa18$05")
    assert client.get("/account/", HTTP_HOST=HOST)["Location"] == "/account/2fa/"


@pytest.fixture
def verified(client):
    """Log a staff user in with a confirmed second factor."""

    def _as(user, password):
        login(client, HOST, user.get_username(), password)
        _enrol(client, user)
        return client

    return _as


@pytest.fixture
def locked_customer(client, customer):
    for _ in range(5):
        login(client, HOST, "L0000001", "wrong")
    client.cookies.clear()
    return customer


OFFICE_URLS = ["/office/", "/office/accounts/locked/", "/office/audit/", "/office/documents/"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("customer_service", [200, 200, 403, 403]),
        ("accountant", [200, 403, 403, 403]),
        ("technician", [200, 403, 403, 403]),
        ("tenant_admin", [200, 200, 200, 200]),
    ],
)
def test_office_authorization_matrix_for_staff_roles(client, alpha, verified, role, expected):
    user = user_create(login=f"staff-{role}", password="BiUr42#ok", role=role)
    verified(user, "BiUr42#ok")
    assert [client.get(url, HTTP_HOST=HOST).status_code for url in OFFICE_URLS] == expected


def test_office_refuses_anonymous_and_customers(client, customer):
    assert [client.get(u, HTTP_HOST=HOST).status_code for u in OFFICE_URLS] == [302] * 4
    login(client, HOST, "L0000001", "RyBa18$05")
    assert [client.get(u, HTTP_HOST=HOST).status_code for u in OFFICE_URLS] == [403] * 4


def test_unlock_by_staff_and_refused_unlock_changes_nothing(
    client, locked_customer, staff, verified
):
    from django.test import Client

    customer_client = Client()
    user_create(login="L0000009", password="RyBa18$05")
    login(customer_client, HOST, "L0000009", "RyBa18$05")
    refused = customer_client.post(f"/office/accounts/{locked_customer.pk}/unlock/", HTTP_HOST=HOST)
    assert refused.status_code == 403
    assert LoginLock.objects.get(key=f"user:{locked_customer.pk}").locked_at is not None

    verified(staff, "BiUr42#ok")
    page = client.get("/office/accounts/locked/", HTTP_HOST=HOST).content.decode()
    assert "L0000001" in page
    assert (
        client.post(f"/office/accounts/{locked_customer.pk}/unlock/", HTTP_HOST=HOST).status_code
        == 302
    )
    assert not LoginLock.objects.filter(key=f"user:{locked_customer.pk}").exists()


def test_staff_of_tenant_a_cannot_touch_tenant_b(client, staff, verified, tenants):
    connection.set_tenant(tenants.b)
    with connection.cursor() as cursor:  # B's account gets an id that A does not have
        cursor.execute("SELECT setval('beta.identity_user_id_seq', 900000)")
    other = user_create(login="beta-customer", password="Iskra2026")
    LoginLock.objects.create(key=f"user:{other.pk}", failures=5, locked_at="2026-01-01T00:00Z")
    connection.set_tenant(tenants.a)
    verified(staff, "BiUr42#ok")
    # B's account id on A's host: not found (A's schema has no such account to unlock)
    response = client.post(f"/office/accounts/{other.pk}/unlock/", HTTP_HOST=HOST)
    assert response.status_code == 404
    connection.set_tenant(tenants.b)
    assert LoginLock.objects.get(key=f"user:{other.pk}").locked_at is not None
    # A's staff session is anonymous on B's host
    assert client.get("/office/", HTTP_HOST="beta.localhost").status_code == 302


def test_tenant_admin_unlocks_staff_but_customer_service_does_not(client, alpha, verified):
    from django.test import Client

    locked_staff = user_create(login="technik", password="BiUr42#ok", role="technician")
    LoginLock.objects.create(
        key=f"user:{locked_staff.pk}", failures=5, locked_at="2026-01-01T00:00Z"
    )
    service = user_create(login="bok2", password="BiUr42#ok", role="customer_service")
    admin = user_create(login="admin2", password="BiUr42#ok", role="tenant_admin")
    verified(service, "BiUr42#ok")
    assert (
        client.post(f"/office/accounts/{locked_staff.pk}/unlock/", HTTP_HOST=HOST).status_code
        == 404
    )
    assert LoginLock.objects.filter(key=f"user:{locked_staff.pk}").exists()
    other = Client()
    login(other, HOST, "admin2", "BiUr42#ok")
    page = other.get("/account/2fa/enrol/", HTTP_HOST=HOST)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    other.post("/account/2fa/enrol/", {"code": _code(device)}, HTTP_HOST=HOST)
    assert page.status_code == 200
    assert (
        other.post(f"/office/accounts/{locked_staff.pk}/unlock/", HTTP_HOST=HOST).status_code == 302
    )
    assert not LoginLock.objects.filter(key=f"user:{locked_staff.pk}").exists()
