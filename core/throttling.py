"""Throttling per IP and per login, in the database (one upsert per check).

A fixed window per scope: ``hit(scope, key, limit, seconds)`` counts this request and raises
``Throttled`` when the window already holds ``limit`` requests. Stored in PostgreSQL so it works
without Redis; if the database cannot count, the request is refused (fail closed), as SECURITY.md
chooses for login and registration.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.errors import Throttled
from core.models import RateCounter

TABLE = RateCounter._meta.db_table

# scope: (requests, seconds)
LIMITS = {
    "login_ip": (30, 300),
    "login_account": (10, 300),
    "password_check_ip": (60, 60),
    "reset_ip": (10, 3600),
    "reset_login": (5, 3600),
    "reminder_ip": (10, 3600),
    "reminder_email": (5, 3600),
    "session_refresh": (120, 3600),
    "reauth_account": (10, 900),
    "registration_ip": (20, 3600),
    "registration_identifier": (5, 3600),
    "signup_ip": (10, 3600),
    "signup_email": (3, 3600),
    "signup_availability_ip": (120, 60),
}


def register_limit(scope: str, requests: int, seconds: int) -> None:
    """An app above adds the limit of its own scope (in its AppConfig.ready())."""
    LIMITS[scope] = (requests, seconds)


def _key(value: str) -> str:
    # Keys may be logins or e-mail addresses: stored hashed, never as typed.
    return hashlib.sha256(value.casefold().encode(errors="surrogatepass")).hexdigest()


def _window(scope: str) -> tuple[int, int, datetime, float]:
    """The scope's limit and length, and the start of the current window (and now)."""
    limit, seconds = LIMITS[scope]
    now = timezone.now().timestamp()
    window = math.floor(now / seconds) * seconds
    return limit, seconds, datetime.fromtimestamp(window, tz=UTC), now


def hit(scope: str, value: str) -> None:
    limit, seconds, window_start, now = _window(scope)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} (scope, key, window_start, count)
            VALUES (%s, %s, %s, 1)
            ON CONFLICT (scope, key, window_start)
            DO UPDATE SET count = {TABLE}.count + 1
            RETURNING count
            """,  # noqa: S608 - the table's name is the model's, not input
            [scope, _key(value), window_start],
        )
        (count,) = cursor.fetchone()
    if count > limit:
        raise Throttled(retry_after=int(window_start.timestamp() + seconds - now) + 1)


def exceeded(scope: str, value: str) -> bool:
    """Whether ``value`` has used up its window in ``scope`` (counts nothing). With ``hit`` on
    failures only, a limit counts wrong answers and not the right ones."""
    limit, _seconds, window_start, _now = _window(scope)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count FROM {TABLE} WHERE scope = %s AND key = %s "  # noqa: S608 - ours
            "AND window_start = %s",
            [scope, _key(value), window_start],
        )
        row = cursor.fetchone()
    return row is not None and row[0] >= limit


def first_use(scope: str, value: str, *, issued_at: datetime) -> bool:
    """True the first time ``value`` (issued at ``issued_at``) is used in ``scope``, False ever
    after, until the daily purge: only for values that expire within the day, such as a
    captcha's. In the database, so a replay is caught in whichever process it arrives, with or
    without Redis."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} (scope, key, window_start, count)
            VALUES (%s, %s, %s, 1)
            ON CONFLICT (scope, key, window_start) DO NOTHING
            RETURNING count
            """,  # noqa: S608 - the table's name is the model's, not input
            [scope, _key(value), issued_at],
        )
        return cursor.fetchone() is not None


def budget_take(
    scope: str, value: str, *, want: int, limit: int, seconds: int
) -> tuple[int, float]:
    """Take up to ``want`` units of the ``limit`` a window of ``seconds`` allows ``value``:
    returns how many were granted and the seconds until the next window. One upsert in its own
    statement (autocommit outside a transaction), so workers sharing a budget never wait for
    each other's work; units asked for beyond the limit are counted but never granted."""
    now = timezone.now().timestamp()
    window = math.floor(now / seconds) * seconds
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} (scope, key, window_start, count)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (scope, key, window_start)
            DO UPDATE SET count = {TABLE}.count + EXCLUDED.count
            RETURNING count
            """,  # noqa: S608 - the table's name is the model's, not input
            [scope, _key(value), datetime.fromtimestamp(window, tz=UTC), want],
        )
        (count,) = cursor.fetchone()
    granted = max(0, min(want, limit - (count - want)))
    return granted, window + seconds - now


def client_ip(request) -> str:
    """The client's address as the trusted proxy reports it (REMOTE_ADDR unless NUM_PROXIES)."""

    proxies = getattr(settings, "NUM_PROXIES", 0)
    if proxies:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def counters_purge(*, older_than_days: int = 1) -> int:
    """Delete throttling windows older than ``older_than_days`` (beat runs it in every schema)."""
    deleted, _rows = RateCounter.objects.filter(
        window_start__lt=timezone.now() - timedelta(days=older_than_days)
    ).delete()
    return deleted
