"""One access vocabulary for every app: the roles, one decorator for pages and one DRF
permission for the API. Which roles may do what is each app's data (identity.permissions names
the office's permissions); the mechanics of refusing are here, once."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class Role(models.TextChoices):
    """Who a user is (identity.User.role)."""

    CUSTOMER = "customer", _("Customer")
    MANAGER = "manager", _("Property manager")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    ACCOUNTANT = "accountant", _("Accountant")
    TECHNICIAN = "technician", _("Technician")
    TENANT_ADMIN = "tenant_admin", _("Organisation administrator")
    OPERATOR = "operator", _("Platform operator")


STAFF_ROLES = frozenset(
    {Role.CUSTOMER_SERVICE, Role.ACCOUNTANT, Role.TECHNICIAN, Role.TENANT_ADMIN}
)
PORTAL_ROLES = frozenset({Role.CUSTOMER, Role.MANAGER})

Check = Callable[[object], bool]


@runtime_checkable
class Actor(Protocol):
    """Who acts, as the layers below identity know it: a user (identity.User fits) by its login
    and id. A process that acts on its own (the demo loader, provisioning, an import) is named by
    a string where an ``Actor | str`` is taken."""

    pk: Any

    def get_username(self) -> str: ...


def has_role(user, *roles: str) -> bool:
    """An active, logged-in user with one of ``roles``."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "role", None) in roles
    )


def page_access(allowed: Check, *, second_factor: bool = False):
    """A page for users ``allowed(user)`` lets in: anonymous visitors go to the login page (and
    come back after it), others get 403; with ``second_factor`` a session that has not
    confirmed it goes to the second step of login first."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                query = urlencode({"next": request.path}, safe="/")
                return redirect(f"{reverse('login')}?{query}")
            if not allowed(user):
                raise PermissionDenied
            if second_factor and not user.is_verified():
                return redirect("two_factor")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def api_access(allowed: Check, *, second_factor: bool = False) -> type[BasePermission]:
    """The same rule as a DRF permission class for API views."""

    class Allowed(BasePermission):
        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(
                user
                and user.is_authenticated
                and allowed(user)
                and (not second_factor or user.is_verified())
            )

    return Allowed
