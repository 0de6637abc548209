"""Password recovery and login reminders: one path for existing and unknown logins, the work in
a task."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import email_enqueue
from core.queueing import queue_after_commit
from identity import (
    selectors,
    tasks,  # the Celery tasks of the functions below (they call back here)
)
from identity.errors import (
    IdentityErrorCode,
)
from identity.models import (
    AuthEvent,
    LoginLock,
    OneTimeToken,
    User,
)
from identity.services.base import RequestInfo, audit
from identity.services.login import _lock_key
from identity.services.passwords import password_set, temporary_password
from identity.services.tokens import _keyed_hash, token_consume, token_issue, token_peek
from tenants.policies import RecoveryMethod


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
