"""Payments' panel of the office's customer card: the latest online payments (money: for staff
holding ``customers.finance``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.portal import CardPanel, register_card_panel
from payments import selectors


def _payments(customer, actor) -> dict:
    return {
        "payments": list(
            selectors.payment_list(actor=actor)
            .filter(customer=customer)
            .order_by("-created_at", "-pk")[:6]
        )
    }


def register() -> None:
    register_card_panel(
        CardPanel(
            "online_payments",
            _("Online payments"),
            "payments/office/card_payments.html",
            _payments,
            42,
            permission="customers.finance",
            modules=("online_payments",),
        )
    )
