"""What the metering app puts on top of the customer's summary page: a leak's signs on one of
its meters, and a reading window waiting for its readings."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.portal import Notice
from metering import selectors
from tenants.policies import Module

SHOWN_METERS = 200  # a manager's summary looks at the first of many


def portal_notices(config, actor, focus) -> list[Notice]:
    if not (config.has_module(Module.METERS) or config.has_module(Module.READINGS)):
        return []
    out = [
        Notice(
            text=_("%(kind)s: meter %(meter)s, %(day)s.")
            % {
                "kind": alert.get_kind_display(),
                "meter": alert.meter.serial_number,
                "day": formats.date_format(alert.detected_on, "d.m.Y"),
            },
            url=reverse("metering_meter", args=[alert.meter_id]),
            warning=True,
            link_text=_("Open the meter"),
        )
        for alert in selectors.open_alerts(actor=actor, focus=focus)[:3]
    ]
    if config.has_module(Module.READINGS) and config.metering.windows_required:
        meters = list(
            selectors.meter_list(actor=actor, focus=focus)
            .filter(removed_on__isnull=True)
            .prefetch_related("registers")[:SHOWN_METERS]
        )
        states = selectors.meter_states(
            actor=actor, meters=meters, windows_required=True, on=timezone.localdate()
        )
        closing = [
            state.window.closes_on
            for meter in meters
            if (state := states[meter.pk]).window is not None
            and any(r.code not in state.sent for r in meter.registers.all())
        ]
        if closing:
            out.append(
                Notice(
                    text=_("Send your meter readings by %(day)s.")
                    % {"day": formats.date_format(min(closing), "d.m.Y")},
                    url=reverse("metering_meters"),
                    link_text=_("Send a reading"),
                )
            )
    return out
