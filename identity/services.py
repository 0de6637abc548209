"""Writes and rules of identity: login with lockout, passwords, documents, recovery, tokens.

Every function takes keyword arguments, runs in a transaction and raises an ApplicationError
subclass (identity.errors) that the pages and the API render alike.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError, CoreErrorCode, Throttled
from core.logging import mask_pesel
from core.outbox.services import email_enqueue, local_time, recipient_language
from core.queueing import queue_after_commit
from core.throttling import LIMITS, exceeded, hit
from identity import (
    selectors,
    tasks,  # the Celery tasks of the functions below (they call back here)
)
from identity.errors import (
    AccountLocked,
    IdentityErrorCode,
    InvalidCredentials,
    LinkExpired,
    LinkInvalid,
    LinkUsed,
)
from identity.models import (
    ApiKey,
    ApiToken,
    AuthEvent,
    CorrespondenceAddress,
    Document,
    DocumentAcceptance,
    LoginLock,
    OneTimeToken,
    PasswordHistory,
    StaffAccess,
    User,
)
from identity.policies import unmet_codes
from tenants.policies import LockoutPolicy, RecoveryMethod, Unlock

# A password hash computed for unknown logins, so they cost the same time as real ones.
_DUMMY_HASH = None


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""


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


# --- creating users --------------------------------------------------------------------------


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


# --- login and lockout -----------------------------------------------------------------------


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
def account_block(*, user: User, actor: User, reason: str, info: RequestInfo | None = None) -> None:
    """Block an account (seed D: misuse, a legal title lost). It is logged out at its next
    request (an inactive user has no session), its API tokens end, and logging in answers like
    a wrong password. Only customers' and managers' accounts; the reason is required."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Say why the account is blocked."),
            code=CoreErrorCode.REASON_REQUIRED,
            extra={"fields": {"reason": [_("This field is required.")]}},
        )
    if user.role not in BLOCKABLE_ROLES or user.pk == actor.pk:
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
        actor=actor.get_username(),
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
    users: list[User] = (),
    customer_ids: list[int] = (),
) -> None:
    """Record that ``actor`` was shown these accounts' or customer records' personal data."""
    rows = [
        StaffAccess(actor=actor, subject=u, field_group=field_group, purpose=purpose) for u in users
    ] + [
        StaffAccess(actor=actor, customer_id=c, field_group=field_group, purpose=purpose)
        for c in customer_ids
    ]
    StaffAccess.objects.bulk_create(rows)


def locked_users() -> list[User]:
    policy, now = _lockout_policy(), timezone.now()
    keys = {
        lock.key: lock
        for lock in LoginLock.objects.filter(locked_at__isnull=False, key__startswith="user:")
        if _is_locked(lock, policy, now)
    }
    ids = [int(k.split(":", 1)[1]) for k in keys]
    return list(User.objects.filter(pk__in=ids).order_by("username"))


# --- passwords --------------------------------------------------------------------------------


def _raise_password_errors(exc: ValidationError) -> None:
    raise ApplicationError(
        _("The new password does not meet the rules."),
        code=IdentityErrorCode.PASSWORD_RULES,
        extra={"fields": {"new_password": exc.error_list}},
    ) from exc


@transaction.atomic
def password_set(
    *,
    user: User,
    password: str,
    temporary: bool = False,
    info: RequestInfo | None = None,
    keep_api_token: ApiToken | None = None,
) -> None:
    """Set a password after checking it against the tenant's policy (history included). A
    temporary or one-time password forces a change at the next login. Other sessions and API
    tokens of the user end (their session hash no longer matches)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        _raise_password_errors(exc)
    user.set_password(password)
    user.must_change_password = temporary
    user.password_changed_at = timezone.now()
    user.save()
    OneTimeToken.objects.filter(user=user, purpose=OneTimeToken.Purpose.ONE_TIME_PASSWORD).delete()
    ApiToken.objects.filter(user=user).exclude(pk=getattr(keep_api_token, "pk", None)).delete()
    if not temporary:
        audit(AuthEvent.Kind.PASSWORD_CHANGED, user=user, login=user.get_username(), info=info)
        security_notice(user=user, event=AuthEvent.Kind.PASSWORD_CHANGED)


# What the owner is told after a change to how the account is protected (never the secret).
_SECURITY_NOTICES = {
    AuthEvent.Kind.PASSWORD_CHANGED: (
        gettext_lazy("Your password was changed"),
        gettext_lazy(
            "The password of your account was changed. If it was not you, contact the office at "
            "once."
        ),
    ),
    AuthEvent.Kind.TWO_FACTOR_ENROLLED: (
        gettext_lazy("Two-factor authentication was set up"),
        gettext_lazy(
            "An authenticator app was set up for your account. If it was not you, contact the "
            "office at once."
        ),
    ),
    AuthEvent.Kind.CONTACT_CHANGED: (
        gettext_lazy("A new e-mail address for your account"),
        gettext_lazy(
            "A new e-mail address was given for your account; once its owner confirms it, "
            "messages go there instead of here. If it was not you, contact the office at once."
        ),
    ),
    AuthEvent.Kind.TWO_FACTOR_REPLACED: (
        gettext_lazy("Your authenticator app was replaced"),
        gettext_lazy(
            "The authenticator app of your account was replaced with a new one; the old one and "
            "the old backup codes no longer work. If it was not you, contact the office at once."
        ),
    ),
}


def security_notice(*, user: User, event: str, to: str = "") -> None:
    """E-mail the owner that ``event`` happened to their account, in their language (to ``to``
    when the news is that the account's address changed: the old address is told)."""
    to = to or user.email
    if not to or event not in _SECURITY_NOTICES:
        return
    title, text = _SECURITY_NOTICES[event]
    with translation.override(user.language or "pl"):
        context = {
            "title": str(title),
            "greeting_name": user.greeting_name,
            "text": str(text),
        }
    email_enqueue(to=to, template="notice", language=user.language, context=context)


def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    new_password_repeat: str,
    info: RequestInfo | None = None,
    keep_api_token: ApiToken | None = None,
) -> None:
    """The account's password change (also the forced change after a temporary password: the
    "current" is then the temporary or one-time code)."""
    errors = {}
    if not user.check_password(current_password) and not _one_time_password_used(
        user, current_password
    ):
        errors["current_password"] = [
            ValidationError(
                _("The current password is incorrect."),
                code=IdentityErrorCode.WRONG_CURRENT_PASSWORD,
            )
        ]
    if new_password != new_password_repeat:
        errors["new_password_repeat"] = [
            ValidationError(_("The passwords do not match."), code=IdentityErrorCode.MISMATCH)
        ]
    if errors:
        raise ApplicationError(
            _("Some fields are not valid."), code=CoreErrorCode.INVALID, extra={"fields": errors}
        )
    password_set(user=user, password=new_password, info=info, keep_api_token=keep_api_token)


def password_history_hashes(user: User, count: int) -> list[str]:
    return list(
        PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:count]
    )


def password_history_record(user: User) -> None:
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = list(PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[:24])
    PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()


def temporary_password(policy=None) -> str:
    """A random password that meets the tenant's policy (used for temporary and one-time
    passwords): letters and digits only, so it also suits "no special characters" policies."""
    config = selectors.tenant_config()
    policy = policy or (config.password_policy if config else None)
    length = max(12, getattr(policy, "min_length", 8))
    if policy is not None:
        length = min(length, policy.max_length)
    upper, lower, digits = string.ascii_uppercase, string.ascii_lowercase, string.digits
    specials = (policy.special_characters or "!#%+") if policy and not policy.no_special else ""
    while True:
        chars = [secrets.choice(upper + lower + digits) for _ in range(length)]
        chars[:4] = [
            secrets.choice(upper),
            secrets.choice(upper),
            secrets.choice(lower),
            secrets.choice(digits),
        ]
        chars[4] = secrets.choice(lower)
        chars[5] = secrets.choice(digits)
        if specials and policy and (policy.min_special or policy.min_digits_or_special):
            chars[6] = secrets.choice(specials)
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        if policy is None:
            return candidate

        if not [c for c in unmet_codes(candidate, policy) if c not in ("reused", "contains_login")]:
            return candidate


# --- documents ----------------------------------------------------------------------------------


@transaction.atomic
def documents_accept(*, user: User, ids: list[int], info: RequestInfo | None = None) -> None:
    """Record acceptance of current documents; every pending one must be among ``ids``."""
    pending = selectors.documents_to_accept(user)
    pending_ids = {doc.pk for doc in pending}
    wanted = set(ids)
    if not pending_ids <= wanted or not wanted <= pending_ids | _accepted_ids(user):
        raise ApplicationError(
            _("Please accept every document listed."), code=IdentityErrorCode.UNKNOWN_DOCUMENT
        )
    for doc in pending:
        DocumentAcceptance.objects.create(
            user=user, document=doc, ip=info.ip if info and info.ip != "unknown" else None
        )
    if pending:
        audit(
            AuthEvent.Kind.TERMS_ACCEPTED,
            user=user,
            login=user.get_username(),
            info=info,
            documents=[f"{d.kind}:v{d.version}" for d in pending],
        )


def _accepted_ids(user: User) -> set[int]:
    return set(DocumentAcceptance.objects.filter(user=user).values_list("document_id", flat=True))


@transaction.atomic
def document_publish(
    *, kind: str, title: str, body: str = "", pdf=None, titles: dict | None = None
) -> Document:
    """A new version of a document, published now; users accept it at their next login.
    ``titles`` holds the title in English and Ukrainian (empty ones are left out)."""
    last = Document.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    doc = Document(
        kind=kind,
        version=(last.version + 1) if last else 1,
        title=title,
        titles={k: v.strip() for k, v in (titles or {}).items() if k in ("en", "uk") and v.strip()},
        body=body,
        published_at=timezone.now(),
    )
    if pdf is not None:
        doc.pdf = pdf
    doc.save()
    return doc


# --- one-time link tokens ---------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, user: User, purpose: str, hours: int) -> tuple[str, OneTimeToken]:
    token = secrets.token_urlsafe(32)
    row = OneTimeToken.objects.create(
        user=user,
        purpose=purpose,
        token_hash=_hash_token(token),
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    return token, row


def token_peek(*, token: str, purpose: str) -> OneTimeToken:
    """The valid token row, or LinkExpired / LinkUsed / LinkInvalid (a token never issued)."""
    row = (
        OneTimeToken.objects.select_related("user")
        .filter(token_hash=_hash_token(token), purpose=purpose)
        .first()
    )
    if row is None:
        raise LinkInvalid()
    if row.expires_at <= timezone.now():
        raise LinkExpired()
    if row.used_at is not None:
        raise LinkUsed()
    return row


@transaction.atomic
def token_consume(*, token: str, purpose: str) -> User:
    row = token_peek(token=token, purpose=purpose)
    updated = OneTimeToken.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not updated:
        raise LinkUsed()
    return row.user


# --- recovery ------------------------------------------------------------------------------------


@transaction.atomic
def password_reset_request(*, login: str, base_url: str, info: RequestInfo | None = None) -> None:
    """Start recovery. Existing and unknown logins take the same path here (one lookup, one
    audit row, one queued task), so neither the answer nor its time tells whether the login
    exists; what is sent is decided in the background (``password_reset_deliver``)."""

    candidates = selectors.users_for_login(login)
    user = candidates[0] if len(candidates) == 1 else None
    audit(AuthEvent.Kind.RESET_REQUESTED, user=user, login=login, info=info)
    queue_after_commit(
        tasks.password_reset_deliver,
        run_here_if_broker_down=True,
        user_id=user.pk if user else None,
        base_url=base_url,
    )


def password_reset_deliver(*, user_id: int | None, base_url: str) -> None:
    """Send what the tenant's recovery method gives: a one-time link, or a one-time password
    that works next to the current password until it is used or expires (a stranger asking
    for it can no longer lock the owner out). Nothing is sent for an unknown login."""
    config = selectors.tenant_config()
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not user.email or config is None:
        return
    method = config.links.recovery
    if method == RecoveryMethod.RESET_LINK:
        token, row = token_issue(
            user=user,
            purpose=OneTimeToken.Purpose.PASSWORD_RESET,
            hours=config.links.password_reset_hours,
        )
        email_enqueue(
            to=user.email,
            template="password_reset_link",
            language=user.language,
            context={
                "login": user.shown_login,
                "greeting_name": user.greeting_name,
                "link": f"{base_url}/password/reset/{token}/",
                "expires_at": row.expires_at,
            },
        )
    elif method == RecoveryMethod.ONE_TIME_PASSWORD:
        code = temporary_password(config.password_policy)
        with transaction.atomic():
            # One pending one-time password at a time: the newest is the one in the inbox.
            OneTimeToken.objects.filter(
                user=user, purpose=OneTimeToken.Purpose.ONE_TIME_PASSWORD, used_at__isnull=True
            ).delete()
            OneTimeToken.objects.create(
                user=user,
                purpose=OneTimeToken.Purpose.ONE_TIME_PASSWORD,
                token_hash=_keyed_hash(code),
                expires_at=timezone.now() + timedelta(hours=config.links.password_reset_hours),
            )
            email_enqueue(
                to=user.email,
                template="one_time_password",
                language=user.language,
                context={
                    "login": user.shown_login,
                    "greeting_name": user.greeting_name,
                    "code": code,
                    "login_url": f"{base_url}/login/",
                },
            )
    # RecoveryMethod.STAFF_ONLY: nothing is sent; the page tells everyone to contact the office.


def _keyed_hash(secret: str) -> str:
    """HMAC of a short secret (a one-time password): a leaked table cannot be brute-forced
    without the server's key."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"otp:{secret}".encode(), hashlib.sha256
    ).hexdigest()


def _one_time_password_user(user: User | None, password: str) -> User | None:
    """``user`` if ``password`` is their pending one-time password, else None. It is used up
    and the account must set a new password at once; the current password is left alone (so
    someone who holds only the mailbox, stopped at the second factor, cannot end it), and until
    the change the used code stands for it (``_one_time_password_used``)."""
    if user is None or not password:
        return None
    used = _one_time_passwords(user, password).filter(used_at__isnull=True)
    used = used.update(used_at=timezone.now())
    if not used:
        return None
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    return user


def _one_time_password_used(user: User, password: str) -> bool:
    """Whether ``password`` is a one-time password this account used to log in and that has
    not expired: the forced password change accepts it as the current password."""
    return bool(password) and _one_time_passwords(user, password).exclude(used_at=None).exists()


def _one_time_passwords(user: User, password: str):
    """The unexpired one-time-password rows of ``user`` that ``password`` matches."""
    return OneTimeToken.objects.filter(
        user=user,
        purpose=OneTimeToken.Purpose.ONE_TIME_PASSWORD,
        token_hash=_keyed_hash(password),
        expires_at__gt=timezone.now(),
    )


@transaction.atomic
def password_reset_complete(
    *,
    token: str,
    new_password: str,
    new_password_repeat: str,
    info: RequestInfo | None = None,
    purpose: str = OneTimeToken.Purpose.PASSWORD_RESET,
) -> User:
    row = token_peek(token=token, purpose=purpose)
    if new_password != new_password_repeat:
        raise ApplicationError(
            _("Some fields are not valid."),
            code=CoreErrorCode.INVALID,
            extra={
                "fields": {
                    "new_password_repeat": [
                        ValidationError(
                            _("The passwords do not match."), code=IdentityErrorCode.MISMATCH
                        )
                    ]
                }
            },
        )
    user = token_consume(token=token, purpose=purpose)
    password_set(user=user, password=new_password, info=info)
    LoginLock.objects.filter(key=_lock_key(user, "")).update(failures=0)
    audit(AuthEvent.Kind.RESET_COMPLETED, user=row.user, login=user.get_username(), info=info)
    return user


@transaction.atomic
def login_reminder_request(*, email: str, base_url: str, info: RequestInfo | None = None) -> None:
    """Start a login reminder; the caller answers the same in every case, and this takes the
    same path for a known and an unknown address (the e-mail is written in the background)."""

    audit(AuthEvent.Kind.REMINDER_REQUESTED, login=email.strip(), info=info)
    queue_after_commit(
        tasks.login_reminder_deliver,
        run_here_if_broker_down=True,
        email=email.strip(),
        base_url=base_url,
    )


def login_reminder_deliver(*, email: str, base_url: str) -> None:
    """E-mail every login tied to ``email`` (nothing when none is)."""
    users = (
        list(User.objects.filter(email__iexact=email, is_active=True).order_by("username"))
        if "@" in email
        else []
    )
    if users:
        email_enqueue(
            to=users[0].email,
            template="login_reminder",
            language=users[0].language,
            context={
                "logins": [u.shown_login for u in users],
                "login_url": f"{base_url}/login/",
            },
        )


# --- profile ---------------------------------------------------------------------------------


def reauthenticate(*, user: User, current_password: str, info: RequestInfo | None = None) -> None:
    """Ask for the password again before a change that could hand the account over (its e-mail
    or phone, where invoices go): a session left open or a stolen token is not enough. Wrong
    answers are audited and throttled per account (429), so this cannot guess the password.
    Call it outside the change's transaction: a refusal must not roll back its own record."""

    if exceeded("reauth_account", str(user.pk)):
        # Even the right password waits for the window: the limit cannot be probed around.
        raise Throttled(retry_after=LIMITS["reauth_account"][1])
    if current_password and user.check_password(current_password):
        return
    audit(AuthEvent.Kind.REAUTHENTICATION_FAILED, user=user, login=user.get_username(), info=info)
    hit("reauth_account", str(user.pk))  # only wrong answers count
    message = (
        _("The current password is incorrect.")
        if current_password
        else _("Enter your current password to confirm this change.")
    )
    raise ApplicationError(
        message,
        code=IdentityErrorCode.WRONG_CURRENT_PASSWORD,
        extra={
            "fields": {
                "current_password": [
                    ValidationError(message, code=IdentityErrorCode.WRONG_CURRENT_PASSWORD)
                ]
            }
        },
    )


ADDRESS_FIELDS = ("country", "postcode", "post_office", "town", "street", "house_no", "flat_no")
POLISH_POSTCODE = re.compile(r"^\d{2}-\d{3}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,30}$")


def _address_given(address: dict | None) -> bool:
    """Whether an address was typed at all (the country alone, filled in by the form, is not)."""
    return bool(address) and any(address.get(n) for n in ADDRESS_FIELDS if n != "country")


def _contact_problems(user: User, changes: dict) -> dict[str, list[str]]:
    """What is wrong with contact data as typed (every field at once)."""
    problems: dict[str, list[str]] = {}
    phone = changes.get("phone")
    if phone and not PHONE.match(phone):
        problems["phone"] = [_("Enter a phone number of digits (a leading + is fine).")]
    email = changes.get("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = [_("Enter a valid e-mail address.")]
    elif email == "" and user.email:
        config = selectors.tenant_config()
        if config is not None and config.links.recovery != RecoveryMethod.STAFF_ONLY:
            problems["email"] = [
                _("The e-mail address is how you recover your password: it cannot be removed.")
            ]
    address = changes.get("address")
    if _address_given(address):
        for name in ("town", "house_no"):
            if not address.get(name):
                problems[f"address.{name}"] = [_("This field is required.")]
        country = address.get("country", "").strip().casefold()
        postcode = address.get("postcode", "")
        if country in ("", "polska", "poland", "польща") and not POLISH_POSTCODE.match(postcode):
            problems["address.postcode"] = [_("A Polish postcode is written as 00-000.")]
    return problems


def profile_update(
    *,
    user: User,
    current_password: str = "",
    info: RequestInfo | None = None,
    base_url: str = "",
    **changes,
) -> User:
    """Change the user's contact data and language. A new e-mail address or phone number needs
    the current password (they can hand the account over); the correspondence address and the
    language do not. A new e-mail address takes effect only when its owner opens the link sent
    to it (the old address is told); removing the address is allowed only where the office,
    not e-mail, recovers passwords. Invalid data changes nothing and is reported field by
    field. The password is checked outside the write's transaction, so a refusal's audit row
    and throttle count are kept."""
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if isinstance(changes.get("address"), dict):
        changes["address"] = {
            name: str(changes["address"].get(name) or "").strip() for name in ADDRESS_FIELDS
        }
    problems = _contact_problems(user, changes)
    if problems:
        raise ApplicationError(
            _("Some fields are not valid."), code=CoreErrorCode.INVALID, extra={"fields": problems}
        )
    new_email = changes.get("email")
    email_changes = new_email is not None and new_email.casefold() != user.email.casefold()
    phone_changes = "phone" in changes and changes["phone"] != user.phone
    if email_changes or phone_changes:
        reauthenticate(user=user, current_password=current_password, info=info)
    changed = []
    with transaction.atomic():
        if phone_changes:
            user.phone = changes["phone"]
            changed.append("phone")
        if "language" in changes and changes["language"] != user.language:
            user.language = changes["language"]
            changed.append("language")
        if email_changes and not new_email:
            user.email, user.pending_email = "", ""
            changed += ["email", "pending_email"]
        if changed:
            user.save(update_fields=changed)
        if "address" in changes and _address_save(user, changes["address"]):
            changed.append("address")
        if email_changes and new_email:
            _email_change_start(user=user, email=new_email.lower(), base_url=base_url)
            changed.append("pending_email")
    if set(changed) - {"language"}:
        audit(
            AuthEvent.Kind.CONTACT_CHANGED,
            user=user,
            login=user.get_username(),
            info=info,
            fields=sorted(changed),
        )
    return user


def _address_save(user: User, address: dict | None) -> bool:
    """Store, replace or (when nothing is typed) remove the correspondence address; whether
    anything changed."""
    current = CorrespondenceAddress.objects.filter(user=user).first()
    if not _address_given(address):
        if current is None:
            return False
        current.delete()
        return True
    values = {name: str(address.get(name) or "")[:120] for name in ADDRESS_FIELDS}  # "" is Poland
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return False
    CorrespondenceAddress.objects.update_or_create(user=user, defaults=values)
    return True


def _email_change_start(*, user: User, email: str, base_url: str) -> None:
    """A new address is used only once its owner opens the link sent to it, so nobody can put
    an address they do not hold on an account (and take the mail or the recovery of another
    account that uses it); the old address is told at once."""
    OneTimeToken.objects.filter(
        user=user, purpose=OneTimeToken.Purpose.EMAIL_CHANGE, used_at__isnull=True
    ).delete()
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    token, row = token_issue(user=user, purpose=OneTimeToken.Purpose.EMAIL_CHANGE, hours=24)
    with translation.override(recipient_language(user.language)):
        email_enqueue(
            to=email,
            template="notice",
            language=translation.get_language(),
            context={
                "title": _("Confirm your new e-mail address"),
                "greeting_name": user.greeting_name,
                "text": _(
                    "Open the link below to use this address for your account %(login)s. The "
                    "link works once, until %(until)s. If you did not ask for it, ignore this "
                    "message: nothing changes."
                )
                % {"login": user.shown_login, "until": local_time(row.expires_at)},
                "link": f"{base_url}/account/email/confirm/{token}/",
                "link_label": _("Confirm the address"),
            },
        )
    if user.email:
        security_notice(user=user, event=AuthEvent.Kind.CONTACT_CHANGED, to=user.email)


@transaction.atomic
def email_change_confirm(*, token: str, info: RequestInfo | None = None) -> User:
    """The link from the new address: it becomes the account's address."""
    user = token_consume(token=token, purpose=OneTimeToken.Purpose.EMAIL_CHANGE)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.pending_email:
        raise LinkUsed()
    user.email, user.pending_email = user.pending_email, ""
    user.save(update_fields=["email", "pending_email"])
    audit(AuthEvent.Kind.CONTACT_CHANGED, user=user, login=user.get_username(), info=info)
    return user


@transaction.atomic
def contact_erase(*, user: User, info: RequestInfo | None = None) -> None:
    """Erase the voluntary contact data for good (the user may do this at any time): the phone,
    the correspondence address, and the e-mail where the office, not e-mail, recovers accounts."""
    user.phone, user.pending_email = "", ""
    config = selectors.tenant_config()
    if config is not None and config.links.recovery == RecoveryMethod.STAFF_ONLY:
        user.email = ""  # not needed for recovery where the office issues new passwords
    user.save(update_fields=["phone", "email", "pending_email"])
    CorrespondenceAddress.objects.filter(user=user).delete()
    audit("contact_erased", user=user, login=user.get_username(), info=info)


# --- API tokens ---------------------------------------------------------------------------


def api_token_issue(*, user: User, terms_pending: bool = False) -> str:
    """A new bearer token; only its SHA-256 is stored. ``terms_pending`` gates it (428) until
    the documents are accepted, as the session's flag does for pages."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=_hash_token(key),
        last_used_at=timezone.now(),
        password_changed_at=user.password_changed_at,
        terms_pending=terms_pending,
    )
    return key


def api_token_authenticate(*, key: str, idle_seconds_for) -> ApiToken | None:
    """The token (with its user), or None when unknown or idle too long (then it is deleted).
    Using it extends it."""
    row = ApiToken.objects.select_related("user").filter(key_hash=_hash_token(key)).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if now - row.last_used_at > timedelta(seconds=idle_seconds_for(row.user)):
        row.delete()
        return None
    if now - row.last_used_at > timedelta(seconds=30):  # write at most every 30 s per token
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def api_token_revoke(*, key: str) -> None:
    ApiToken.objects.filter(key_hash=_hash_token(key)).delete()


# --- integration keys ------------------------------------------------------------------------


def api_key_create(*, name: str) -> str:
    """A new integration key for this tenant; the key is returned once and stored hashed."""

    key = "ebk_" + secrets.token_urlsafe(32)
    ApiKey.objects.create(name=name, prefix=key[4:12], key_hash=_hash_token(key))
    return key


def api_key_authenticate(*, key: str):

    row = ApiKey.objects.filter(key_hash=_hash_token(key), revoked_at__isnull=True).first()
    if row is not None and (
        row.last_used_at is None or timezone.now() - row.last_used_at > timedelta(minutes=1)
    ):
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row
