"""The connection's PostgreSQL schema, typed: django-tenants adds these to Django's connection,
which type checkers see as a plain ``BaseDatabaseWrapper``."""

from __future__ import annotations

from typing import cast

from django.db import connection
from django_tenants.postgresql_backend.base import DatabaseWrapper


def _tenant_connection() -> DatabaseWrapper:
    return cast(DatabaseWrapper, connection)


def current_schema() -> str:
    """The schema the connection works in now (``public`` outside any tenant)."""
    return _tenant_connection().schema_name


def use_public_schema() -> None:
    """Switch the connection back to the platform's schema."""
    _tenant_connection().set_schema_to_public()


def use_tenant(tenant) -> None:
    """Switch the connection (this thread's) to ``tenant``'s schema."""
    _tenant_connection().set_tenant(tenant)
