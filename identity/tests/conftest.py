import pytest
from django.db import connection

from identity.services import user_create


@pytest.fixture
def alpha(tenants):
    """Tenant A (preset A: 5 failures lock, staff unlock, reset by link) as the current schema."""
    connection.set_tenant(tenants.a)
    return tenants.a


@pytest.fixture
def beta(tenants):
    """Tenant B of the tests (preset C: one-time password recovery)."""
    connection.set_tenant(tenants.b)
    return tenants.b


@pytest.fixture
def customer(alpha):
    return user_create(
        login="L0000001",
        password="RyBa18$05",
        email="l1@example.com",
        customer_symbol="L0000001",
        first_name="Jan",
        last_name="Testowy",
    )


@pytest.fixture
def staff(alpha):
    return user_create(
        login="obsluga", password="BiUr42#ok", role="customer_service", email="s@example.com"
    )


def login(client, host, login, password, **extra):
    """POST the login form; ``extra`` holds more form fields, and request META (``HTTP_*``,
    ``REMOTE_ADDR``) such as a proxy's ``X-Forwarded-For``."""
    meta = {k: v for k, v in extra.items() if k.startswith(("HTTP_", "REMOTE_"))}
    fields = {k: v for k, v in extra.items() if k not in meta}
    return client.post(
        "/login/", {"login": login, "password": password, **fields}, HTTP_HOST=host, **meta
    )


def login_verified_staff(client, host, user, password):
    """Log ``user`` (staff) in and enrol its second factor, as a first login at the office does."""
    from django_otp.oath import totp

    from identity.models import SealedTOTPDevice as TOTPDevice

    login(client, host, user.get_username(), password)
    client.get("/account/2fa/enrol/", HTTP_HOST=host)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    client.post("/account/2fa/enrol/", {"code": f"{code:06d}"}, HTTP_HOST=host)
