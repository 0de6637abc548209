"""Single-use link tokens, one-time passwords (kept as keyed hashes), API tokens and integration
keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from identity.errors import (
    LinkExpired,
    LinkInvalid,
    LinkUsed,
)
from identity.models import (
    ApiKey,
    ApiToken,
    OneTimeToken,
    User,
)


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


def api_token_end(*, token: ApiToken) -> None:
    """Logout of an API client: its token stops working at once."""
    ApiToken.objects.filter(pk=token.pk).delete()


def api_token_revoke(*, key: str) -> None:
    ApiToken.objects.filter(key_hash=_hash_token(key)).delete()


def api_key_create(*, name: str, actor: User | None = None) -> str:
    """A new integration key for this tenant; the key is returned once and stored hashed."""

    key = "ebk_" + secrets.token_urlsafe(32)
    ApiKey.objects.create(name=name, prefix=key[4:12], key_hash=_hash_token(key), created_by=actor)
    return key


def api_key_authenticate(*, key: str):

    row = ApiKey.objects.filter(key_hash=_hash_token(key), revoked_at__isnull=True).first()
    if row is not None and (
        row.last_used_at is None or timezone.now() - row.last_used_at > timedelta(minutes=1)
    ):
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row
