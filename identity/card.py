"""Identity's panel of the office's customer card: the consents and accepted documents of the
customer's account, with versions, times and channels (staff see what the customer sees)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.portal import CardPanel, register_card_panel
from identity import selectors
from identity.models import User


def _consents(customer, actor) -> dict | None:
    user = User.objects.filter(pk=customer.user_id).first() if customer.user_id else None
    if user is None:
        return None
    return {"history": selectors.consent_history(user)}


def register() -> None:
    register_card_panel(
        CardPanel("consents", _("Consents"), "identity/office/card_consents.html", _consents, 70)
    )
