"""The staff's lifecycle, run by the tenant's administrator: roles, a departing employee's account
closed (sessions, API tokens and the integration keys they made end at once), a lost second
factor reset; integration keys made and revoked. Every change is an audit row naming the
administrator, with old and new values where there are any."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import STAFF_ROLES, Role
from core.errors import ApplicationError, CoreErrorCode
from identity.models import (
    ApiKey,
    ApiToken,
    AuthEvent,
    BackupCode,
    BackupCodeDevice,
    SealedTOTPDevice,
    User,
)
from identity.services.base import RequestInfo, audit
from identity.services.passwords import security_notice
from identity.services.tokens import api_key_create


def _refused(message: str) -> ApplicationError:
    return ApplicationError(message, code=CoreErrorCode.NOT_ALLOWED, status=403)


def _check(actor: User, user: User) -> None:
    """Only a tenant administrator, only on another member of staff."""
    if not actor.is_tenant_admin:
        raise _refused(_("Only the organisation's administrator manages staff."))
    if user.pk == actor.pk:
        raise _refused(_("Ask another administrator to change your own account."))
    if user.role not in STAFF_ROLES:
        raise _refused(_("This is not a staff member's account."))


def _another_admin_stays(user: User) -> bool:
    return User.objects.filter(role=Role.TENANT_ADMIN, is_active=True).exclude(pk=user.pk).exists()


def staff_list():
    return User.objects.filter(role__in=sorted(STAFF_ROLES)).order_by("-is_active", "last_name")


@transaction.atomic
def staff_role_set(*, user: User, role: str, actor: User, info: RequestInfo | None = None) -> bool:
    """Give a member of staff another role; whether anything changed."""
    _check(actor, user)
    if role not in STAFF_ROLES:
        raise ApplicationError(
            _("Choose one of the staff roles."),
            code=CoreErrorCode.INVALID,
            extra={"fields": {"role": [_("Choose one of the staff roles.")]}},
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == role:
        return False
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit(
        AuthEvent.Kind.STAFF_ROLE_CHANGED,
        user=user,
        login=user.get_username(),
        info=info,
        actor=actor.get_username(),
        changes={"role": [old, role]},
    )
    return True


@transaction.atomic
def staff_deactivate(
    *, user: User, actor: User, reason: str = "", info: RequestInfo | None = None
) -> bool:
    """Close a departing employee's account: logged out at its next request, API tokens ended,
    the integration keys they made revoked. The organisation keeps at least one active
    administrator."""
    _check(actor, user)
    if not user.is_active:
        return False
    if user.role == Role.TENANT_ADMIN and not _another_admin_stays(user):
        raise _refused(_("The organisation needs at least one active administrator."))
    User.objects.filter(pk=user.pk).update(is_active=False)
    ApiToken.objects.filter(user=user).delete()
    made = ApiKey.objects.filter(created_by=user, revoked_at__isnull=True)
    keys = list(made.values_list("prefix", flat=True))
    made.update(revoked_at=timezone.now())
    audit(
        AuthEvent.Kind.STAFF_DEACTIVATED,
        user=user,
        login=user.get_username(),
        info=info,
        actor=actor.get_username(),
        **({"reason": reason.strip()[:500]} if reason.strip() else {}),
        **({"keys": keys} if keys else {}),
    )
    return True


@transaction.atomic
def staff_reactivate(*, user: User, actor: User, info: RequestInfo | None = None) -> bool:
    _check(actor, user)
    if user.is_active:
        return False
    User.objects.filter(pk=user.pk).update(is_active=True)
    audit(
        AuthEvent.Kind.STAFF_REACTIVATED,
        user=user,
        login=user.get_username(),
        info=info,
        actor=actor.get_username(),
    )
    return True


@transaction.atomic
def second_factor_reset(*, user: User, actor: User, info: RequestInfo | None = None) -> bool:
    """A member of staff lost their authenticator: the administrator (never they themselves)
    removes it and the backup codes; they set up a new one at their next login, and are told.
    Their API tokens end (a token carries the old verification)."""
    _check(actor, user)
    totp = SealedTOTPDevice.objects.filter(user=user)
    if not totp.exists() and not BackupCode.objects.filter(user=user).exists():
        return False
    totp.delete()
    BackupCodeDevice.objects.filter(user=user).delete()
    BackupCode.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    audit(
        AuthEvent.Kind.TWO_FACTOR_RESET,
        user=user,
        login=user.get_username(),
        info=info,
        actor=actor.get_username(),
    )
    security_notice(user=user, event=AuthEvent.Kind.TWO_FACTOR_RESET)
    return True


def api_key_issue(*, name: str, actor: User, info: RequestInfo | None = None) -> str:
    """A new integration key, shown once to the administrator who made it."""
    if not actor.is_tenant_admin:
        raise _refused(_("Only the organisation's administrator manages staff."))
    name = " ".join(name.split())[:100]
    if not name:
        raise ApplicationError(
            _("Name the key (what uses it)."),
            code=CoreErrorCode.INVALID,
            extra={"fields": {"name": [_("This field is required.")]}},
        )
    with transaction.atomic():
        key = api_key_create(name=name, actor=actor)
        audit(
            AuthEvent.Kind.API_KEY_CREATED,
            login=actor.get_username(),
            info=info,
            actor=actor.get_username(),
            key=f"{name} ({key[4:12]}…)",
        )
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User, info: RequestInfo | None = None) -> bool:
    """Revoke an integration key: its next request is refused."""
    if not actor.is_tenant_admin:
        raise _refused(_("Only the organisation's administrator manages staff."))
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit(
            AuthEvent.Kind.API_KEY_REVOKED,
            login=actor.get_username(),
            info=info,
            actor=actor.get_username(),
            key=f"{key.name} ({key.prefix}…)",
        )
    return bool(revoked)
