"""Setting and changing passwords under the tenant's policy, their history, and the notices to
the owner."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import email_enqueue
from identity import (
    selectors,  # the Celery tasks of the functions below (they call back here)
)
from identity.errors import (
    IdentityErrorCode,
)
from identity.models import (
    ApiToken,
    AuthEvent,
    OneTimeToken,
    PasswordHistory,
    User,
)
from identity.policies import unmet_codes
from identity.services.base import RequestInfo, audit
from identity.services.tokens import _one_time_password_used


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
    tokens = ApiToken.objects.filter(user=user)
    if keep_api_token is not None:
        tokens = tokens.exclude(pk=keep_api_token.pk)
    tokens.delete()
    if not temporary:
        audit(AuthEvent.Kind.PASSWORD_CHANGED, user=user, login=user.get_username(), info=info)
        security_notice(user=user, event=AuthEvent.Kind.PASSWORD_CHANGED)


# What the owner is told after a change to how the account is protected (never the secret).
# event -> message (templates/email/messages/).
_SECURITY_NOTICES: dict[str, str] = {
    AuthEvent.Kind.PASSWORD_CHANGED: "security_password_changed",
    AuthEvent.Kind.TWO_FACTOR_ENROLLED: "security_two_factor_enrolled",
    AuthEvent.Kind.CONTACT_CHANGED: "security_contact_changed",
    AuthEvent.Kind.TWO_FACTOR_REPLACED: "security_two_factor_replaced",
    AuthEvent.Kind.LOCKED: "security_account_locked",
    AuthEvent.Kind.TWO_FACTOR_RESET: "security_two_factor_reset",
}
# Who tells a tenant's customers (notifications registers itself in its AppConfig.ready()):
# ``notifier(user=, template=, to=)`` sends the notice by e-mail and, where chosen, by SMS.
_NOTIFIERS: list[Callable[..., object]] = []


def register_security_notifier(notifier: Callable[..., object]) -> None:
    if notifier not in _NOTIFIERS:
        _NOTIFIERS[:] = [notifier]


def security_notice(*, user: User, event: str, to: str = "") -> None:
    """Tell the owner that ``event`` happened to their account, in their language, by e-mail
    always (to ``to`` when the news is that the account's address changed: the old address is
    told) and, in a tenant, by SMS where they chose it. Never the secret itself."""
    if event not in _SECURITY_NOTICES:
        return
    template = _SECURITY_NOTICES[event]
    if _NOTIFIERS and getattr(connection, "schema_name", "") != get_public_schema_name():
        _NOTIFIERS[0](user=user, template=template, to=to or user.email)
        return
    to = to or user.email
    if to:
        email_enqueue(
            to=to,
            template=template,
            language=user.language,
            context={"greeting_name": user.greeting_name},
        )


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
