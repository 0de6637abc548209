"""Announcements, planned works and failures: published by the office for a period and a
target (everyone, an estate, buildings, a town with streets), edited while they stand, and
withdrawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from billing.models import Building, Customer, LegalTitle, Premises
from core.errors import ApplicationError
from core.http import tenant_base_url
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.models import Announcement
from correspondence.models.announcements import street_key
from identity.models import User
from notifications import services as notifications


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
    outage = draft.kind in (Announcement.Kind.PLANNED_WORKS, Announcement.Kind.FAILURE)
    if outage and draft.starts_at is None:
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


# Telling the residents.


def announcement_recipients(announcement: Announcement) -> QuerySet[User]:
    """The accounts of the customers holding a title today to premises the announcement's
    target covers (everyone, an estate, buildings, a town and its streets)."""
    today = timezone.localdate()
    premises = Premises.objects.all()
    if announcement.target == Announcement.Target.ESTATE:
        premises = premises.filter(building__estate=announcement.estate)
    elif announcement.target == Announcement.Target.BUILDINGS:
        premises = premises.filter(building__in=announcement.buildings.all())
    elif announcement.target == Announcement.Target.AREA:
        premises = premises.filter(city__iexact=announcement.area_city)
        if announcement.area_streets:
            streets = set(announcement.area_streets)
            premises = premises.filter(
                pk__in=[
                    pk
                    for pk, street in premises.values_list("pk", "street")
                    if street_key(street) in streets
                ]
            )
    holders = LegalTitle.objects.filter(premises__in=premises, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    return User.objects.filter(
        is_active=True,
        pk__in=Customer.objects.filter(legal_titles__in=holders).values("user_id"),
    ).order_by("pk")


def _notice(announcement: Announcement) -> tuple[str, dict]:
    event = (
        "outage"
        if announcement.is_outage
        else "offer"
        if announcement.kind == Announcement.Kind.OFFER
        else "announcement"
    )

    def context() -> dict:
        def moment(value):
            return formats.date_format(timezone.localtime(value), "d.m.Y H:i") if value else ""

        return {
            "title": announcement.title,
            "body": announcement.body,
            "kind": str(announcement.get_kind_display()),
            "starts": moment(announcement.starts_at),
            "ends": moment(announcement.expected_end_at),
        }

    return event, {"context": context}


def _link(announcement: Announcement) -> str:
    name = "correspondence_outages" if announcement.is_outage else "correspondence_announcements"
    return tenant_base_url() + reverse(name)


def announcement_notice_preview(*, announcement_id: int) -> dict:
    """Before the office tells the residents: how many accounts, by which channel, and how the
    notice reads (in Polish, e-mail and SMS)."""
    announcement = _standing(announcement_id)
    event, kwargs = _notice(announcement)
    told = notifications.recipients(
        users=announcement_recipients(announcement), event=event, key=str(announcement.pk)
    )
    return {
        "announcement": announcement,
        "accounts": len(told),
        "email": sum("email" in r.channels and not r.digest for r in told),
        "digest": sum(r.digest for r in told),
        "sms": sum("sms" in r.channels for r in told),
        "sample": notifications.preview(
            event=event,
            link=_link(announcement),
            name=told[0].user.greeting_name if told else "",
            **kwargs,
        ),
    }


def announcement_notify(*, actor: User, announcement_id: int) -> int:
    """Tell the residents the announcement concerns, each by their channels; once (a second
    call writes nothing: each message's key is the announcement). Returns messages written."""
    with transaction.atomic():
        announcement = _standing(announcement_id, lock=True)
        event, kwargs = _notice(announcement)
        written = notifications.notify_many(
            users=announcement_recipients(announcement),
            event=event,
            key=str(announcement.pk),
            link=_link(announcement),
            **kwargs,
        )
        announcement.notified_at = announcement.notified_at or timezone.now()
        announcement.notified_messages += written
        announcement.save(update_fields=["notified_at", "notified_messages"])
    return written


def _standing(announcement_id: int, *, lock: bool = False) -> Announcement:
    rows = Announcement.objects.select_for_update() if lock else Announcement.objects
    found = rows.filter(pk=announcement_id, withdrawn_at__isnull=True).first()
    if found is None:
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
    return found
