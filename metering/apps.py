from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "metering"
    schema = "tenant"

    def ready(self) -> None:
        from metering import personal_data

        personal_data.register()
        from metering import exporting

        exporting.register()
        from metering import card

        card.register()
        # Registries of the layers below, filled when the app registry is ready.
        from django.utils.translation import gettext_lazy

        from billing import search
        from billing.importing import register_entity
        from core import portal
        from core.access import Role
        from identity.permissions import register_permission
        from metering import selectors
        from metering.importing import SPECS
        from metering.models import MeterAlert
        from metering.notices import portal_notices
        from notifications.catalogue import Event, register_event
        from tenants.policies import Module

        METER_MODULES = (Module.METERS, Module.READINGS)  # noqa: N806 - a constant of ready()

        for module in ("meters", "readings"):
            portal.register_module_page(module, "metering_meters")
        group = gettext_lazy("Meters and readings")
        for event in (
            Event(
                "reading_window_open",
                gettext_lazy("A reading period opens"),
                group,
                "reading_window_open",
                modules=(Module.READINGS,),
            ),
            Event(
                "reading_window_closing",
                gettext_lazy("A reading period closes soon and my reading is missing"),
                group,
                "reading_window_closing",
                modules=(Module.READINGS,),
            ),
            Event(
                "reading_reviewed",
                gettext_lazy("The office checked my reading (accepted, corrected or rejected)"),
                group,
                "reading_reviewed",
                modules=(Module.READINGS,),
            ),
            Event(
                "meter_alert",
                gettext_lazy("Unusual consumption on my meter (a possible leak)"),
                group,
                "meter_alert",
                urgent=True,
                sms=True,
                modules=METER_MODULES,
            ),
        ):
            register_event(event)
        portal.register_notices(portal_notices)
        search.register_finder(selectors.meters_found)
        for name, (spec, label) in SPECS.items():
            register_entity(name, spec, label)
        register_permission(
            "readings.review",
            frozenset({Role.CUSTOMER_SERVICE, Role.TECHNICIAN, Role.TENANT_ADMIN}),
        )
        register_permission("meters.manage", frozenset({Role.TECHNICIAN, Role.TENANT_ADMIN}))
        portal.register_office_entry(
            portal.OfficeEntry(
                "metering_office_review",
                gettext_lazy("Readings to review"),
                "readings.review",
                count=lambda: selectors.review_queue().count(),
                modules=METER_MODULES,
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "metering_office_windows",
                gettext_lazy("Reading periods"),
                "meters.manage",
                modules=(Module.READINGS,),
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "metering_office_alerts",
                gettext_lazy("Unusual consumption"),
                "readings.review",
                count=lambda: MeterAlert.objects.filter(resolved_at__isnull=True).count(),
                modules=METER_MODULES,
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "metering_office_meters",
                gettext_lazy("Meters"),
                "meters.manage",
                modules=METER_MODULES,
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "metering_office_legalisation",
                gettext_lazy("Legalisations ending"),
                "meters.manage",
                modules=METER_MODULES,
            )
        )
