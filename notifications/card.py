"""Notifications' panel of the office's customer card: the notices sent to the account (never
identity's own mail, which carries links and one-time passwords)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.portal import CardPanel, register_card_panel
from notifications import selectors


def _messages(customer, actor) -> dict | None:
    if not customer.user_id:
        return None
    return {
        "messages": list(selectors.messages_to(user_id=customer.user_id)[:10]),
        "user_id": customer.user_id,
    }


def register() -> None:
    register_card_panel(
        CardPanel(
            "notices",
            _("Notices sent"),
            "notifications/office/card_notices.html",
            _messages,
            80,
            permission="notifications.view",
        )
    )
