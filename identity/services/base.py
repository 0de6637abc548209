"""The request's facts for the audit, the audit log itself, and creating users."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.logging import mask_pesel
from identity.errors import (
    IdentityErrorCode,
)
from identity.models import (
    AuthEvent,
    User,
)


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""
    channel: str = "portal"  # a ConsentChannel: the portal's pages, or the API


def audit(
    kind: str,
    *,
    user: User | None = None,
    login: str = "",
    info: RequestInfo | None = None,
    **details,
) -> None:
    info = info or RequestInfo()
    AuthEvent.objects.create(
        kind=kind,
        user=user,
        login=mask_pesel(login)[:200],
        ip=info.ip if info.ip and info.ip != "unknown" else None,
        user_agent=info.user_agent[:300],
        details=details,
    )


@transaction.atomic
def user_create(
    *,
    login: str,
    password: str | None,
    role: str = User.Role.CUSTOMER,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    customer_symbol: str = "",
    must_change_password: bool = False,
    if_exists: str = "error",
) -> User:
    """Create a user in the current schema. ``if_exists="keep"`` returns an existing user with
    that login unchanged (used by the idempotent demo loader)."""
    existing = User.objects.filter(username=login).first()
    if existing is not None:
        if if_exists == "keep":
            return existing
        raise ApplicationError(
            _("This login is taken."), code=IdentityErrorCode.LOGIN_TAKEN, status=409
        )
    user = User(
        username=login,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        customer_symbol=customer_symbol,
        is_staff=role in User.STAFF_ROLES,
        must_change_password=must_change_password,
    )
    if password:
        user.set_password(password)
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.save()
    return user
