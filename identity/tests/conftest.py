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
    return client.post("/login/", {"login": login, "password": password, **extra}, HTTP_HOST=host)
