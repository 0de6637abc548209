"""Metering's feed of what the ERP pulls back (``billing.exporting``): readings the portal
took."""

from __future__ import annotations

from django.db.models.functions import Coalesce

from billing.exporting import Feed, after_time_and_id, register_feed
from metering.models import Reading


def _readings_feed(after: list | None, limit: int) -> list[dict]:
    """Readings the portal took (customers', the office's, remote reads), once accepted: in the
    order they were accepted (a reading kept for review comes when the office accepts it)."""
    rows = after_time_and_id(
        Reading.objects.filter(
            status=Reading.Status.ACCEPTED,
            source__in=[Reading.Source.CUSTOMER, Reading.Source.STAFF, Reading.Source.REMOTE],
        )
        .annotate(at=Coalesce("reviewed_at", "created_at"))
        .select_related("register__meter"),
        after,
        "at",
    )
    return [
        {
            "key": [r.at.isoformat(), r.pk],
            "erp_id": r.erp_id,
            "meter": r.register.meter.erp_id,
            "register": r.register.code,
            "value": str(r.value),
            "read_at": r.read_at.isoformat(),
            "source": r.source,
            "corrected_from": str(r.original_value) if r.original_value is not None else None,
        }
        for r in rows[:limit]
    ]


def register() -> None:
    register_feed(
        Feed("readings", "Meter readings the portal took, once accepted.", _readings_feed)
    )
