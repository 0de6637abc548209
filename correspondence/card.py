"""Correspondence's panel of the office's customer card: the customer's cases, newest first,
each opening the office's case page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.portal import CardPanel, register_card_panel
from correspondence import selectors
from tenants.policies import CASE_MODULES

LATEST = 10


def _cases(customer, actor) -> dict:
    rows = selectors.case_list(actor=actor).filter(customer=customer).order_by("-created_at", "-pk")
    return {"cases": list(rows[:LATEST]), "more": max(rows.count() - LATEST, 0)}


def register() -> None:
    register_card_panel(
        CardPanel(
            "cases",
            _("Cases"),
            "correspondence/office/card_cases.html",
            _cases,
            55,
            permission="cases.answer",
            modules=tuple(map(str, CASE_MODULES)),
        )
    )
