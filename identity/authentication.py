"""DRF authentication by bearer token (``Authorization: Bearer <token>``) and the account gates
for API requests, the same as the pages' (identity.middleware)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from core.authentication import SessionAuthentication as BrowserSessionAuthentication
from core.errors import ApplicationError
from identity import services
from identity.errors import IdentityErrorCode
from identity.middleware import MUST_CHANGE, TERMS_PENDING, idle_timeout_seconds
from identity.models import ApiToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed()
        key = header[1].decode(errors="replace")
        row = services.api_token_authenticate(key=key, idle_seconds_for=idle_timeout_seconds)
        if row is None:
            raise exceptions.AuthenticationFailed()
        return row.user, row

    def authenticate_header(self, request) -> str:
        return self.keyword


SessionAuthentication = BrowserSessionAuthentication  # the name the settings use


class AccountReady(permissions.BasePermission):
    """Authenticated, and no pending step: a password to change or documents to accept answer
    428 (the endpoints that complete those steps set ``allow_pending``)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated) or isinstance(user, IntegrationPrincipal):
            return False
        if getattr(view, "allow_pending", False):
            return True
        token = request.auth if isinstance(request.auth, ApiToken) else None
        session = getattr(request._request, "session", {})
        if user.must_change_password or (token is None and session.get(MUST_CHANGE)):
            raise ApplicationError(
                _("Please set a new password first."),
                code=IdentityErrorCode.PASSWORD_CHANGE_REQUIRED,
                status=428,
            )
        if (token is not None and token.terms_pending) or (
            token is None and session.get(TERMS_PENDING)
        ):
            raise ApplicationError(
                _("Please accept the documents first."),
                code=IdentityErrorCode.TERMS_ACCEPTANCE_REQUIRED,
                status=428,
            )
        return True


class IntegrationPrincipal:
    """Who calls with an API key: authenticated, but no user and no customer data."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_tenant_staff = False
    role = "integration"
    pk = None
    must_change_password = False

    def __init__(self, key):
        self.key = key

    def get_username(self) -> str:
        return f"api-key:{self.key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed()
        row = services.api_key_authenticate(key=header[1].decode(errors="replace"))
        if row is None:
            raise exceptions.AuthenticationFailed()
        return IntegrationPrincipal(row), row

    def authenticate_header(self, request) -> str:
        return self.keyword


class IntegrationOnly(permissions.BasePermission):
    """Only a caller with the tenant's API key."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, IntegrationPrincipal)
