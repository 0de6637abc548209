"""Login with lockout, and the office's unlock and block of accounts (the staff's access to a
customer audited)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, CoreErrorCode
from core.logging import mask_pesel
from identity import (
    selectors,  # the Celery tasks of the functions below (they call back here)
)
from identity.errors import (
    AccountLocked,
    InvalidCredentials,
)
from identity.models import (
    ApiToken,
    AuthEvent,
    LoginLock,
    OneTimeToken,
    RegistrationRequest,
    SealedTOTPDevice,
    StaffAccess,
    User,
)
from identity.services.base import RequestInfo, audit
from identity.services.passwords import security_notice
from identity.services.tokens import _one_time_password_user
from tenants.policies import LockoutPolicy, Unlock


def _lockout_policy() -> LockoutPolicy:
    config = selectors.tenant_config()
    return config.lockout if config else LockoutPolicy()


def locked_message() -> str:
    policy = _lockout_policy()
    return str(policy.locked_message) or _(
        "Your account has been locked after too many failed logins. Please contact the office."
    )


def _lock_key(user: User | None, login: str) -> str:
    return (
        f"user:{user.pk}" if user is not None else f"login:{selectors.normalise_login(login)[:180]}"
    )


def _is_locked(lock: LoginLock, policy: LockoutPolicy, now) -> bool:
    if lock.locked_at is None:
        return False
    if policy.unlock == Unlock.AUTOMATIC_AFTER_TIME:
        return now < lock.locked_at + timedelta(minutes=policy.unlock_after_minutes)
    return True


# A password hash computed for unknown logins, so they cost the same time as real ones.
_DUMMY_HASH: str | None = None


def _matching_user(candidates: list[User], password: str) -> User | None:
    global _DUMMY_HASH
    matches = [u for u in candidates if u.check_password(password)]
    if not candidates:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = make_password("dummy password to equalise timing")
        check_password(password, _DUMMY_HASH)
    return matches[0] if len(matches) == 1 else None


def login_attempt(*, login: str, password: str, info: RequestInfo | None = None) -> User:
    """Check a login and password under the tenant's lockout policy.

    Consecutive failures are counted per account, or per typed login when it names no account,
    so an unknown login answers and "locks" exactly like a real one. The attempt that reaches the
    threshold locks; a locked account is refused even with the right password until staff unlock
    it (or the policy's time passes). Raises InvalidCredentials or AccountLocked."""
    policy = _lockout_policy()
    candidates = selectors.users_for_login(login)
    # One account per lock: with several accounts behind one e-mail the lock is per typed login.
    subject = candidates[0] if len(candidates) == 1 else None
    key = _lock_key(subject, login)
    now = timezone.now()
    with transaction.atomic():
        lock, _created = LoginLock.objects.select_for_update().get_or_create(key=key)
        if lock.locked_at is not None and not _is_locked(lock, policy, now):
            lock.failures, lock.locked_at = 0, None  # the automatic unlock time has passed
        if _is_locked(lock, policy, now):
            lock.save(update_fields=["failures", "locked_at"])
            audit(AuthEvent.Kind.LOGIN_REFUSED_LOCKED, user=subject, login=login, info=info)
            raise AccountLocked(locked_message())
        user = _matching_user(candidates, password) or _one_time_password_user(subject, password)
        if user is None:
            lock.failures += 1
            lock.last_failure_at = now
            just_locked = lock.failures >= policy.threshold
            if just_locked:
                lock.locked_at = now
            lock.save()
            audit(
                AuthEvent.Kind.LOGIN_FAILED,
                user=subject,
                login=login,
                info=info,
                failures=lock.failures,
            )
            if just_locked:
                audit(AuthEvent.Kind.LOCKED, user=subject, login=login, info=info)
                if subject is not None:
                    security_notice(user=subject, event=AuthEvent.Kind.LOCKED)
        else:
            lock.delete()
            if not user.must_change_password:
                # The owner knows the password: a one-time password someone asked for is void.
                OneTimeToken.objects.filter(
                    user=user,
                    purpose=OneTimeToken.Purpose.ONE_TIME_PASSWORD,
                    used_at__isnull=True,
                ).delete()
            if user.pk != getattr(subject, "pk", None):
                LoginLock.objects.filter(key=_lock_key(user, login)).update(failures=0)
            audit(AuthEvent.Kind.LOGIN_SUCCEEDED, user=user, login=login, info=info)
            User.objects.filter(pk=user.pk).update(last_login=now)
            return user
    if just_locked:
        raise AccountLocked(locked_message())
    raise InvalidCredentials()


@transaction.atomic
def account_unlock(*, user: User, actor: User, info: RequestInfo | None = None) -> bool:
    deleted, _rows = LoginLock.objects.filter(key=_lock_key(user, "")).delete()
    if deleted:
        audit(
            AuthEvent.Kind.UNLOCKED,
            user=user,
            login=user.get_username(),
            info=info,
            actor=actor.get_username(),
        )
    return bool(deleted)


BLOCKABLE_ROLES = (User.Role.CUSTOMER, User.Role.MANAGER)


@transaction.atomic
def account_block(
    *, user: User, actor: User | None, reason: str, info: RequestInfo | None = None
) -> None:
    """Block an account (seed D: misuse, a legal title lost). It is logged out at its next
    request (an inactive user has no session), its API tokens end, and logging in answers like
    a wrong password. Only customers' and managers' accounts; the reason is required.
    ``actor`` None: the tenant's rule (a job) blocks it."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Say why the account is blocked."),
            code=CoreErrorCode.REASON_REQUIRED,
            extra={"fields": {"reason": [_("This field is required.")]}},
        )
    if user.role not in BLOCKABLE_ROLES or (actor is not None and user.pk == actor.pk):
        raise ApplicationError(
            _("Only customers' and managers' accounts can be blocked here."),
            code=CoreErrorCode.NOT_ALLOWED,
            status=403,
        )
    if not user.is_active:
        return
    User.objects.filter(pk=user.pk).update(is_active=False)
    ApiToken.objects.filter(user=user).delete()
    audit(
        AuthEvent.Kind.ACCOUNT_BLOCKED,
        user=user,
        login=user.get_username(),
        info=info,
        **({"actor": actor.get_username()} if actor is not None else {}),
        reason=reason[:500],
    )


@transaction.atomic
def account_unblock(*, user: User, actor: User, info: RequestInfo | None = None) -> None:
    if user.role not in BLOCKABLE_ROLES or user.is_active:
        return
    User.objects.filter(pk=user.pk).update(is_active=True)
    audit(
        AuthEvent.Kind.ACCOUNT_UNBLOCKED,
        user=user,
        login=user.get_username(),
        info=info,
        actor=actor.get_username(),
    )


def staff_access_record(
    *,
    actor: User,
    field_group: str,
    purpose: str,
    users: Sequence[User] = (),
    customer_ids: Sequence[int] = (),
    reason: str = "",
    account: User | None = None,
) -> None:
    """Record that ``actor`` was shown these accounts' or customer records' personal data, and
    why (``reason``: the search typed, the case handled)."""
    reason = mask_pesel(" ".join(reason.replace("\x00", "").split()))[:200]
    rows = [
        StaffAccess(actor=actor, subject=u, field_group=field_group, purpose=purpose, reason=reason)
        for u in users
    ] + [
        StaffAccess(
            actor=actor,
            customer_id=c,
            subject=account,  # the customers' account, when one row should name both
            field_group=field_group,
            purpose=purpose,
            reason=reason,
        )
        for c in customer_ids
    ]
    StaffAccess.objects.bulk_create(rows)


@dataclass(frozen=True)
class AccountState:
    """What the office's card says of an account."""

    active: bool
    locked: bool
    last_login: datetime | None
    second_factor: bool
    must_change_password: bool
    pending_email: str
    blocked_reason: str
    awaiting_activation: bool = False  # registered, the activation link not yet opened
    credentials_resendable: bool = False  # registered and never used: the office may resend


def account_state(user: User) -> AccountState:
    lock = LoginLock.objects.filter(key=_lock_key(user, "")).first()
    request = RegistrationRequest.objects.filter(user=user).order_by("-created_at").first()
    awaiting = bool(
        request
        and not user.is_active
        and request.status == RegistrationRequest.Status.ACTIVATION_SENT
    )
    blocked = ""
    if not user.is_active and not awaiting:
        event = (
            AuthEvent.objects.filter(user=user, kind=AuthEvent.Kind.ACCOUNT_BLOCKED)
            .order_by("-created_at", "-pk")
            .first()
        )
        blocked = str((event.details or {}).get("reason", "")) if event else ""
    return AccountState(
        active=user.is_active,
        locked=bool(lock and _is_locked(lock, _lockout_policy(), timezone.now())),
        last_login=user.last_login,
        second_factor=SealedTOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        must_change_password=user.must_change_password,
        pending_email=user.pending_email,
        blocked_reason=blocked,
        awaiting_activation=awaiting,
        credentials_resendable=bool(request and user.last_login is None and user.email),
    )


def locked_users() -> list[User]:
    policy, now = _lockout_policy(), timezone.now()
    keys = {
        lock.key: lock
        for lock in LoginLock.objects.filter(locked_at__isnull=False, key__startswith="user:")
        if _is_locked(lock, policy, now)
    }
    ids = [int(k.split(":", 1)[1]) for k in keys]
    return list(User.objects.filter(pk__in=ids).order_by("username"))
