"""Which announcements and outages concern whom: a customer's or manager's premises (billing's
scope), everyone on the public page of current outages, and the office's list."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from billing.selectors import Focus, premises_list, scope_for
from correspondence.models import Announcement
from correspondence.models.announcements import street_key
from identity.models import User


def standing(at: datetime | None = None) -> QuerySet[Announcement]:
    """Announcements shown at ``at`` (now): within their period and not withdrawn."""
    at = at or timezone.now()
    return Announcement.objects.filter(withdrawn_at__isnull=True, visible_from__lte=at).filter(
        Q(visible_until__isnull=True) | Q(visible_until__gt=at)
    )


def _concerning(rows: QuerySet[Announcement], places: list[tuple]) -> QuerySet[Announcement]:
    """Those whose target covers one of ``places`` (building id, estate, city, street)."""
    if not places:
        return rows.filter(target=Announcement.Target.EVERYONE)
    places = [(b, e, c, street_key(s or "")) for b, e, c, s in places]
    buildings = {b for b, _e, _c, _s in places if b}
    estates = {e for _b, e, _c, _s in places if e}
    area = Q()
    for city in {c for _b, _e, c, _s in places}:
        streets = [s for _b, _e, c, s in places if c == city]
        area |= Q(area_city__iexact=city) & (Q(area_streets=[]) | Q(area_streets__overlap=streets))
    return rows.filter(
        Q(target=Announcement.Target.EVERYONE)
        | Q(target=Announcement.Target.ESTATE, estate__in=estates)
        | Q(target=Announcement.Target.BUILDINGS, buildings__in=buildings)
        | (Q(target=Announcement.Target.AREA) & area)
    ).distinct()


def announcements_for(
    *, actor: User, focus: Focus | None = None, at: datetime | None = None
) -> QuerySet[Announcement]:
    """What stands now for the premises the actor sees (a customer's own, a manager's granted;
    staff: all of it)."""
    if scope_for(actor, focus=focus).customer_ids is None:
        return standing(at).prefetch_related("buildings").order_by("-visible_from", "-id")
    places = list(
        premises_list(actor=actor, focus=focus)
        .order_by()
        .values_list("building_id", "building__estate", "city", "street")
        .distinct()
    )
    rows = _concerning(standing(at), places)
    return rows.prefetch_related("buildings").order_by("-visible_from", "-id")


def outages_public(at: datetime | None = None) -> QuerySet[Announcement]:
    """Works and failures standing now, for everyone (no login): where and until when."""
    return (
        standing(at)
        .filter(kind__in=[Announcement.Kind.FAILURE, Announcement.Kind.PLANNED_WORKS])
        .prefetch_related("buildings")
        .order_by("kind", "starts_at", "id")
    )


def announcements_office() -> QuerySet[Announcement]:
    return Announcement.objects.prefetch_related("buildings").order_by("-visible_from", "-id")
