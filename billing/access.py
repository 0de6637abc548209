"""Access ends with the legal title (seed D): where the tenant's ``access`` policy says so, an
account whose customers' every legal title to premises ended more than the grace period ago is
blocked, and its owner is told ``legal_title_notice_days`` before. A daily job per tenant
(``legal_titles_enforce``); staff see who is about to lose access (``accounts_losing_access``).

Idempotent: the notice is keyed by the day the last title ended (told once), a blocked account
is not blocked again, and an account the office unblocked after the rule applied is left alone
(the office knows something the ERP does not yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.access import Role
from core.http import tenant_base_url
from core.outbox.models import Message
from identity import selectors as identity_selectors
from identity import services as identity_services
from identity.models import AuthEvent, User
from notifications.services import notify

EVENT = "access_ending"


@dataclass(frozen=True)
class Ending:
    user: User
    ended_on: date  # the day the last legal title ended
    blocks_on: date  # the first day the account is blocked
    told_from: date  # the first day its owner is told
    told_on: date | None = None  # when its owner was told


def accounts_losing_access(today: date | None = None) -> list[Ending]:
    """Active customers' accounts whose every legal title has ended, by the day they are
    blocked (none where the tenant does not end access with the title)."""
    policy = identity_selectors.current_config().access
    if not policy.end_with_legal_title:
        return []
    today = today or timezone.localdate()
    titles = "customers__legal_titles"
    open_title = Q(**{f"{titles}__valid_to__isnull": True}) | Q(
        **{f"{titles}__valid_to__gte": today}
    )
    ended: list[tuple[int, date]] = list(
        User.objects.filter(role=Role.CUSTOMER, is_active=True, **{f"{titles}__isnull": False})
        .annotate(open_titles=Count(titles, filter=open_title), ended_on=Max(f"{titles}__valid_to"))
        .filter(open_titles=0)
        .order_by("ended_on", "pk")
        .values_list("pk", "ended_on")
    )
    accounts = User.objects.in_bulk([pk for pk, _day in ended])
    grace = timedelta(days=policy.legal_title_grace_days)
    notice = timedelta(days=policy.legal_title_notice_days)
    told = _told_on(ended)
    endings = []
    for pk, ended_on in ended:
        user = accounts[pk]
        due = ended_on + grace + timedelta(days=1)
        told_on = told.get((pk, ended_on))
        # Nobody is blocked without the notice's days (a title that ended long before the rule
        # was switched on, or reached the ERP late): only an account that cannot be told (no
        # e-mail address) is blocked on the day the grace ends.
        blocks_on = due
        if user.email:
            blocks_on = max(due, (told_on or today) + notice)
        endings.append(Ending(user, ended_on, blocks_on, due - notice, told_on))
    unblocked = _unblocked_since(endings)
    return [e for e in endings if e.user.pk not in unblocked]


def _told_on(ended: list[tuple[int, date]]) -> dict[tuple[int, date], date]:
    """(account, day its last title ended) -> the day its owner was told (the notice's key)."""
    keys = {f"{EVENT}:{day.isoformat()}:{pk}:email": (pk, day) for pk, day in ended}
    if not keys:
        return {}
    told = {}
    for key, at in Message.objects.filter(idempotency_key__in=list(keys)).values_list(
        "idempotency_key", "created_at"
    ):
        if key in keys:
            told[keys[key]] = timezone.localdate(at)
    return told


def _unblocked_since(endings: list[Ending]) -> set[int]:
    """Accounts the office unblocked on or after the day the rule blocked them."""
    if not endings:
        return set()
    earliest = min(e.blocks_on for e in endings)
    since = timezone.make_aware(datetime.combine(earliest, time.min))
    last_unblock = dict(
        AuthEvent.objects.filter(
            kind=AuthEvent.Kind.ACCOUNT_UNBLOCKED,
            user_id__in=[e.user.pk for e in endings],
            created_at__gte=since,
        )
        .values_list("user_id")
        .annotate(at=Max("created_at"))
    )
    return {
        e.user.pk
        for e in endings
        if e.user.pk in last_unblock and timezone.localdate(last_unblock[e.user.pk]) >= e.blocks_on
    }


def legal_titles_enforce(today: date | None = None) -> dict[str, int]:
    """Tell the owners whose access ends soon, block those whose grace period is over."""
    today = today or timezone.localdate()
    told = blocked = 0
    link = f"{tenant_base_url()}/"
    for ending in accounts_losing_access(today):
        ended = formats.date_format(ending.ended_on, "d.m.Y")
        if today >= ending.blocks_on:
            identity_services.account_block(
                user=ending.user,
                actor=None,
                reason=_("Every legal title to premises ended on %(day)s.") % {"day": ended},
            )
            blocked += 1
        elif today >= ending.told_from and ending.told_on is None:
            told += bool(
                notify(
                    user=ending.user,
                    event=EVENT,
                    key=ending.ended_on.isoformat(),
                    link=link,
                    context={
                        "ended": ended,
                        "blocks": formats.date_format(ending.blocks_on, "d.m.Y"),
                    },
                )
            )
    return {"told": told, "blocked": blocked}
