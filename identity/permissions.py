"""Who may do what: roles as data, checked by one decorator for pages."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from identity.models import User

# Permission -> roles that hold it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "office.view": frozenset(User.STAFF_ROLES),
    "accounts.unlock": frozenset({"customer_service", "tenant_admin"}),
    "accounts.block": frozenset({"customer_service", "tenant_admin"}),
    "audit.view": frozenset({"tenant_admin"}),
    "documents.manage": frozenset({"tenant_admin"}),
    "import.run": frozenset({"accountant", "tenant_admin"}),
    "registrations.review": frozenset({"customer_service", "tenant_admin"}),
    "accounts.create": frozenset({"customer_service", "tenant_admin"}),
    "managers.review": frozenset({"customer_service", "tenant_admin"}),
    "tenant.configure": frozenset({"tenant_admin"}),
}


def has_permission(user, permission: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in PERMISSIONS[permission])


def staff_required(permission: str = "office.view"):
    """Tenant staff with ``permission`` who confirmed the second factor in this session."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect(f"/login/?next={request.path}")
            if not has_permission(user, "office.view") or not has_permission(user, permission):
                raise PermissionDenied
            if not user.is_verified():
                return redirect("two_factor")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
