"""What the ERP pulls back: the customers (changed since a time) and what the portal changed
(contact data, e-invoice consents, documents accepted; readings, which metering registers).
Cases and online payments have exports of their own (``/api/v1/tickets/export``,
``/api/v1/payments/export``). Each feed is read in the order of a key that only grows as rows
are written or change (an id, or a time with the id), from an opaque cursor, so the ERP resumes
where it stopped and never misses or repeats a row. Every row names the customer by the ERP's own
id."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from billing.models import Customer, EInvoiceConsentEvent
from identity.models import AuthEvent, DocumentAcceptance

PAGE = 500
# Rows younger than this are left for the next page: a transaction still open when a page is
# read may commit a row with an earlier id or time, which a later cursor would pass by.
SETTLE_SECONDS = 10


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Feed:
    """``rows(after, limit)``: up to ``limit`` rows after the key ``after`` (None: from the
    start), each a dict with ``"key"`` (a list: its place in the order) and its data."""

    name: str
    description: str
    rows: Callable[[list | None, int], list[dict[str, Any]]]


_FEEDS: dict[str, Feed] = {}


def register_feed(feed: Feed) -> None:
    _FEEDS[feed.name] = feed


def feeds() -> dict[str, Feed]:
    return dict(_FEEDS)


def cursor_encode(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def cursor_decode(text: str) -> list:
    try:
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError) as exc:
        raise BadCursor(text) from exc
    if not isinstance(key, list) or not key or len(key) > 3:
        raise BadCursor(text)
    return key


def _time(value) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise BadCursor(str(value))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _id(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadCursor(str(value))
    return value


def settled(rows, field: str):
    """Only rows written at least ``SETTLE_SECONDS`` ago (by ``field``, a time)."""
    return rows.filter(**{f"{field}__lt": timezone.now() - timedelta(seconds=SETTLE_SECONDS)})


def after_time_and_id(rows, after: list | None, field: str):
    """Settled rows after (time, id) in that order."""
    rows = settled(rows, field)
    if after is None:
        return rows.order_by(field, "pk")
    if len(after) != 2:
        raise BadCursor(str(after))
    moment, pk = _time(after[0]), _id(after[1])
    return rows.filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": pk})).order_by(
        field, "pk"
    )


def after_id(rows, after: list | None):
    if after is None:
        return rows.order_by("pk")
    if len(after) != 1:
        raise BadCursor(str(after))
    return rows.filter(pk__gt=_id(after[0])).order_by("pk")


def _customers(after: list | None, limit: int) -> list[dict]:
    rows = after_time_and_id(Customer.objects.select_related("user"), after, "updated_at")
    out = []
    for c in rows[:limit]:
        user = c.user
        out.append(
            {
                "key": [c.updated_at.isoformat(), c.pk],
                "erp_id": c.erp_id,
                "symbol": c.symbol,
                "kind": c.kind,
                "name": c.name,
                "email": c.email,
                "phone": c.phone,
                "street": c.street,
                "building_no": c.building_no,
                "flat_no": c.flat_no,
                "postcode": c.postcode,
                "city": c.city,
                "refund_account": c.refund_account,
                "updated_at": c.updated_at.isoformat(),
                "account": None
                if user is None
                else {"active": user.is_active, "email": user.email, "phone": user.phone},
            }
        )
    return out


def _erp_ids_of_users(user_ids: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for user_id, erp_id in Customer.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "erp_id"
    ):
        out.setdefault(user_id, []).append(erp_id)
    return out


def _contact(after: list | None, limit: int) -> list[dict]:
    """Contact data the account's owner (or the office for them) changed or erased."""
    rows = after_id(
        settled(
            AuthEvent.objects.filter(
                kind__in=[AuthEvent.Kind.CONTACT_CHANGED, AuthEvent.Kind.CONTACT_ERASED],
                user__customers__isnull=False,
            ).distinct(),
            "created_at",
        ),
        after,
    )
    events = list(rows[:limit])
    customers = _erp_ids_of_users({e.user_id for e in events if e.user_id})
    return [
        {
            "key": [e.pk],
            "at": e.created_at.isoformat(),
            "customers": customers.get(e.user_id or 0, []),
            "erased": e.kind == AuthEvent.Kind.CONTACT_ERASED,
            "changes": {
                field: pair[1]
                for field, pair in (e.details or {}).get("changes", {}).items()
                if field != "pending_email"
            },
            "by_office": "actor" in (e.details or {}),
        }
        for e in events
    ]


def _einvoice(after: list | None, limit: int) -> list[dict]:
    rows = after_id(
        settled(EInvoiceConsentEvent.objects.select_related("customer"), "created_at"), after
    )
    return [
        {
            "key": [e.pk],
            "at": e.created_at.isoformat(),
            "customer": e.customer.erp_id,
            "action": e.action,
            "email": e.email,
        }
        for e in rows[:limit]
    ]


def _acceptances(after: list | None, limit: int) -> list[dict]:
    rows = after_id(
        settled(
            DocumentAcceptance.objects.filter(user__customers__isnull=False)
            .distinct()
            .select_related("document"),
            "accepted_at",
        ),
        after,
    )
    accepted = list(rows[:limit])
    customers = _erp_ids_of_users({a.user_id for a in accepted})
    return [
        {
            "key": [a.pk],
            "at": a.accepted_at.isoformat(),
            "customers": customers.get(a.user_id, []),
            "document": a.document.kind,
            "version": a.document.version,
        }
        for a in accepted
    ]


def register_billing_feeds() -> None:
    register_feed(Feed("customers", "Customers, by the time they last changed.", _customers))
    register_feed(
        Feed("contact", "Contact data changed or erased in the portal or by the office.", _contact)
    )
    register_feed(Feed("e-invoice", "E-invoice consents given, changed or withdrawn.", _einvoice))
    register_feed(Feed("acceptances", "Documents (regulations, notices) accepted.", _acceptances))


def page(name: str, cursor: str = "", limit: int = PAGE, since: datetime | None = None) -> dict:
    """One page of a feed: its rows, and the cursor after the last (the one given, when there
    are none: the ERP keeps it and asks again later); ``since`` starts a time-ordered feed at a
    moment."""
    feed = _FEEDS[name]
    after = cursor_decode(cursor) if cursor else None
    if after is None and since is not None:
        after = [since.isoformat(), 0]
    rows = feed.rows(after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1]["key"] if rows else after
    return {
        "results": [{k: v for k, v in r.items() if k != "key"} for r in rows],
        "cursor": cursor_encode(last) if last is not None else "",
        "more": more,
    }
