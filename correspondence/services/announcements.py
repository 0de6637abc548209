"""Announcements, planned works and failures: published by the office for a period and a
target (everyone, an estate, buildings, a town with streets), edited while they stand, and
withdrawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Building
from core.errors import ApplicationError
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.models import Announcement
from correspondence.models.announcements import street_key
from identity.models import User


@dataclass
class AnnouncementDraft:
    title: str
    body: str
    kind: str = Announcement.Kind.ANNOUNCEMENT
    target: str = Announcement.Target.EVERYONE
    estate: str = ""
    building_ids: list[int] = field(default_factory=list)
    area_city: str = ""
    area_streets: list[str] = field(default_factory=list)
    visible_from: datetime | None = None
    visible_until: datetime | None = None
    starts_at: datetime | None = None
    expected_end_at: datetime | None = None


def _problems(draft: AnnouncementDraft, shown_from: datetime | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    if not draft.title.strip():
        out["title"] = _("The title is required.")
    if not draft.body.strip():
        out["body"] = _("The text is required.")
    if draft.kind not in Announcement.Kind.values:
        out["kind"] = _("Choose one of the values listed.")
    if draft.target not in Announcement.Target.values:
        out["target"] = _("Choose one of the values listed.")
    elif draft.target == Announcement.Target.ESTATE and not draft.estate.strip():
        out["estate"] = _("Choose the estate.")
    elif draft.target == Announcement.Target.BUILDINGS:
        found = Building.objects.filter(pk__in=draft.building_ids).count()
        if not draft.building_ids or found != len(set(draft.building_ids)):
            out["buildings"] = _("Choose at least one building.")
    elif draft.target == Announcement.Target.AREA and not draft.area_city.strip():
        out["area_city"] = _("Give the town of the area.")
    start = draft.visible_from or shown_from or timezone.now()
    if draft.visible_until is not None and draft.visible_until <= start:
        out["visible_until"] = _("The end must come after the start.")
    if draft.kind != Announcement.Kind.ANNOUNCEMENT and draft.starts_at is None:
        out["starts_at"] = _("Give when the works or the failure began or will begin.")
    if (
        draft.starts_at is not None
        and draft.expected_end_at is not None
        and draft.expected_end_at <= draft.starts_at
    ):
        out["expected_end_at"] = _("The end must come after the start.")
    return out


def _fill(announcement: Announcement, draft: AnnouncementDraft) -> None:
    problems = _problems(draft, shown_from=announcement.visible_from)
    if problems:
        raise ApplicationError(
            next(iter(problems.values())),
            code=Code.INVALID,
            extra={"fields": {k: [v] for k, v in problems.items()}},
        )
    target = draft.target
    announcement.kind = draft.kind
    announcement.title = draft.title.strip()[:200]
    announcement.body = draft.body.strip()
    announcement.target = target
    announcement.estate = draft.estate.strip() if target == Announcement.Target.ESTATE else ""
    announcement.area_city = draft.area_city.strip() if target == Announcement.Target.AREA else ""
    announcement.area_streets = (
        sorted({street_key(s) for s in draft.area_streets if s.strip()})
        if target == Announcement.Target.AREA
        else []
    )
    announcement.visible_from = draft.visible_from or announcement.visible_from or timezone.now()
    announcement.visible_until = draft.visible_until
    announcement.starts_at = draft.starts_at
    announcement.expected_end_at = draft.expected_end_at


@transaction.atomic
def announcement_publish(*, actor: User, draft: AnnouncementDraft) -> Announcement:
    announcement = Announcement(published_by=actor)
    _fill(announcement, draft)
    announcement.save()
    buildings = draft.building_ids if draft.target == Announcement.Target.BUILDINGS else []
    announcement.buildings.set(buildings)
    return announcement


def _editable(announcement_id: int) -> Announcement:
    announcement = (
        Announcement.objects.select_for_update()
        .filter(pk=announcement_id, withdrawn_at__isnull=True)
        .first()
    )
    if announcement is None:
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
    return announcement


@transaction.atomic
def announcement_update(
    *, actor: User, announcement_id: int, draft: AnnouncementDraft
) -> Announcement:
    """New facts about a standing announcement (a failure's expected end moves)."""
    announcement = _editable(announcement_id)
    _fill(announcement, draft)
    announcement.save()
    buildings = draft.building_ids if draft.target == Announcement.Target.BUILDINGS else []
    announcement.buildings.set(buildings)
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor: User, announcement_id: int) -> Announcement:
    announcement = _editable(announcement_id)
    announcement.withdrawn_at = timezone.now()
    announcement.save(update_fields=["withdrawn_at"])
    return announcement
