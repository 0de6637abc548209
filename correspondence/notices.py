"""What correspondence puts on top of the customer's summary page: failures and works now on
the customer's premises (warnings), unread letters, and the latest announcements."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.portal import Notice
from correspondence import selectors
from correspondence.models import Announcement, CaseStatus
from tenants.policies import CASE_MODULES, Module


def portal_notices(config, actor, focus) -> list[Notice]:
    out: list[Notice] = []
    if config.has_module(Module.ANNOUNCEMENTS) or config.has_module(Module.FAILURE_REPORTS):
        link = (
            reverse("correspondence_announcements")
            if config.has_module(Module.ANNOUNCEMENTS)
            else reverse("correspondence_outages")
        )
        for item in selectors.announcements_for(actor=actor, focus=focus)[:5]:
            if item.kind == Announcement.Kind.ANNOUNCEMENT:
                if config.has_module(Module.ANNOUNCEMENTS):
                    out.append(Notice(text=item.title, url=link, link_text=_("Read")))
                continue
            until = (
                _(" (expected end: %(when)s)")
                % {
                    "when": formats.date_format(
                        timezone.localtime(item.expected_end_at), "d.m.Y H:i"
                    )
                }
                if item.expected_end_at
                else ""
            )
            out.append(
                Notice(
                    text=f"{item.get_kind_display()}: {item.title}{until}",
                    url=link,
                    warning=True,
                    link_text=_("Details"),
                )
            )
    if config.offers_any(*CASE_MODULES):
        out += _case_notices(actor, focus)
    if config.has_module(Module.CORRESPONDENCE):
        unread = selectors.unread_letters(actor=actor, focus=focus)
        if unread:
            out.append(
                Notice(
                    text=ngettext(
                        "You have %(n)d unread letter from the office.",
                        "You have %(n)d unread letters from the office.",
                        unread,
                    )
                    % {"n": unread},
                    url=reverse("correspondence_letters"),
                    link_text=_("Read"),
                )
            )
    return out


def _case_notices(actor, focus) -> list[Notice]:
    """Cases where the office waits for the customer, and answers not yet closed (one query)."""
    counts = dict(
        selectors.case_list(actor=actor, focus=focus)
        .filter(status__in=[CaseStatus.WAITING, CaseStatus.ANSWERED])
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    url = reverse("correspondence_cases")
    out = []
    if waiting := counts.get(CaseStatus.WAITING, 0):
        text = ngettext(
            "The office waits for your reply in %(n)d case.",
            "The office waits for your reply in %(n)d cases.",
            waiting,
        )
        out.append(
            Notice(
                text=text % {"n": waiting},
                url=f"{url}?status={CaseStatus.WAITING}",
                warning=True,
                link_text=_("Reply"),
            )
        )
    if answered := counts.get(CaseStatus.ANSWERED, 0):
        text = ngettext(
            "The office has answered %(n)d of your cases.",
            "The office has answered %(n)d of your cases.",
            answered,
        )
        out.append(
            Notice(
                text=text % {"n": answered},
                url=f"{url}?status={CaseStatus.ANSWERED}",
                link_text=_("Read"),
            )
        )
    return out
