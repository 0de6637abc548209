from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    schema = "tenant"

    def ready(self) -> None:
        # Registries of the layers below, filled when the app registry is ready.
        from django.utils.translation import gettext_lazy

        from core import portal, throttling
        from correspondence import selectors, services
        from identity.permissions import register_permission
        from tenants.policies import CASE_MODULES

        for module in CASE_MODULES:
            portal.register_module_page(module, "correspondence_cases")
        throttling.register_limit("case_status_ip", 20, 900)
        register_permission("cases.answer", services.CASE_ROLES)
        portal.register_office_entry(
            portal.OfficeEntry(
                "correspondence_office_inbox",
                gettext_lazy("Cases"),
                "cases.answer",
                count=lambda: selectors.inbox(selectors.InboxFilter()).count(),
            )
        )
