"""Who may do what at the office: roles as data (a permission names the roles that hold it),
checked by the core's one page decorator."""

from __future__ import annotations

from functools import wraps

from django.http import Http404

from core.access import STAFF_ROLES, Role, has_role, page_access
from identity.models import User

# Permission -> roles that hold it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "office.view": frozenset(STAFF_ROLES),
    "accounts.unlock": frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN}),
    "accounts.block": frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN}),
    "audit.view": frozenset({Role.TENANT_ADMIN}),
    "privacy.records": frozenset({Role.TENANT_ADMIN}),
    "privacy.erasure": frozenset({Role.TENANT_ADMIN}),
    "documents.manage": frozenset({Role.TENANT_ADMIN}),
    "import.run": frozenset({Role.ACCOUNTANT, Role.TENANT_ADMIN}),
    "registrations.review": frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN}),
    "accounts.create": frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN}),
    "managers.review": frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN}),
    "tenant.configure": frozenset({Role.TENANT_ADMIN}),
    "staff.manage": frozenset({Role.TENANT_ADMIN}),
    "api_keys.manage": frozenset({Role.TENANT_ADMIN}),
}


def register_permission(permission: str, roles: frozenset[str]) -> None:
    """An app above adds the permissions its office pages need (in its AppConfig.ready())."""
    PERMISSIONS[permission] = frozenset(roles)


def staff_with_permission(permission: str):
    """The active members of staff holding ``permission`` (whom a job tells, whom a case may be
    given to)."""
    return User.objects.filter(is_active=True, role__in=sorted(PERMISSIONS[permission]))


def has_permission(user, permission: str) -> bool:
    return has_role(user, *PERMISSIONS[permission])


def staff_required(permission: str = "office.view", *, modules: tuple[str, ...] = ()):
    """Tenant staff with ``permission`` who confirmed the second factor in this session; with
    ``modules``, a page of a tenant offering none of them is not found."""
    allowed = page_access(
        lambda user: has_permission(user, "office.view") and has_permission(user, permission),
        second_factor=True,
    )
    if not modules:
        return allowed

    def decorator(view):
        @allowed
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.tenant.configuration.offers_any(*modules):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
