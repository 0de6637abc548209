"""Metering's panel of the office's customer card: the meters on the customer's premises with
their latest accepted reading (one query)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from core.portal import CardPanel, register_card_panel
from metering import selectors
from metering.models import Reading


def _meters(customer, actor) -> dict:
    latest = Reading.objects.filter(
        register__meter=OuterRef("pk"), status=Reading.Status.ACCEPTED
    ).order_by("-read_at", "-pk")
    meters = (
        selectors.meter_list(actor=actor)
        .filter(premises__legal_titles__customer=customer)
        .distinct()
        .select_related("premises")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_at=Subquery(latest.values("read_at")[:1]),
        )
        .order_by("removed_on", "premises_id", "kind", "serial_number")
    )
    return {"meters": list(meters)}


def register() -> None:
    register_card_panel(
        CardPanel(
            "meters",
            _("Meters and readings"),
            "metering/office/card_meters.html",
            _meters,
            45,
            modules=("meters", "readings"),
        )
    )
