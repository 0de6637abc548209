"""Writes to users."""

from __future__ import annotations

from django.db import transaction

from identity.models import User


@transaction.atomic
def user_create(
    *,
    login: str,
    password: str | None,
    role: str = User.Role.CUSTOMER,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    if_exists: str = "error",
) -> User:
    """Create a user in the current schema. ``if_exists="keep"`` returns an existing user with
    that login unchanged (used by the idempotent demo loader)."""
    existing = User.objects.filter(username=login).first()
    if existing is not None:
        if if_exists == "keep":
            return existing
        raise ValueError(f"login {login!r} exists")
    user = User(
        username=login,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role in User.STAFF_ROLES,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user
