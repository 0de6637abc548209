from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    schema = "tenant"

    def ready(self) -> None:
        from correspondence import personal_data

        personal_data.register()
        from correspondence import card

        card.register()
        # Registries of the layers below, filled when the app registry is ready.
        from django.utils.translation import gettext_lazy

        from core import portal, throttling
        from core.access import Role
        from correspondence import selectors, services
        from correspondence.notices import portal_notices
        from identity.permissions import register_permission
        from notifications.catalogue import Event, register_event
        from tenants.policies import CASE_MODULES, Module

        cases = gettext_lazy("Cases and failure reports")
        register_event(
            Event(
                "case_answered",
                gettext_lazy("The office answered my case or asks me about it"),
                cases,
                "case_answered",
                urgent=True,  # a question waits for the customer's reply: never a day later
                modules=CASE_MODULES,
            )
        )
        register_event(
            Event(
                "case_status",
                gettext_lazy("My case or failure report changed its status"),
                cases,
                "case_status",
                modules=CASE_MODULES,
            )
        )
        news = gettext_lazy("Announcements and outages")
        register_event(
            Event(
                "announcement",
                gettext_lazy("A new announcement for my building"),
                news,
                "announcement",
                modules=(Module.ANNOUNCEMENTS,),
            )
        )
        register_event(
            Event(
                "offer",
                gettext_lazy("News and offers of the organisation (with my consent)"),
                news,
                "offer",
                modules=(Module.ANNOUNCEMENTS,),
                consent="marketing",
            )
        )
        register_event(
            Event(
                "outage",
                gettext_lazy("A failure or planned works at my building"),
                news,
                "outage",
                urgent=True,
                sms=True,
                modules=(Module.ANNOUNCEMENTS, Module.FAILURE_REPORTS),
            )
        )
        for module in (Module.TICKETS, Module.FAILURE_REPORTS):
            portal.register_module_page(module, "correspondence_cases")
        portal.register_module_page(Module.CORRESPONDENCE, "correspondence_letters")
        portal.register_module_page(Module.ANNOUNCEMENTS, "correspondence_announcements")
        portal.register_module_page(Module.DOCUMENTS, "correspondence_documents")
        portal.register_notices(portal_notices)
        throttling.register_limit("case_status_ip", 20, 900)
        office = frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN})
        register_permission("cases.answer", services.CASE_ROLES)
        register_permission("announcements.publish", services.CASE_ROLES)
        register_permission("library.manage", office)
        register_permission("letters.send", office)
        entries = [
            portal.OfficeEntry(
                "correspondence_office_inbox",
                gettext_lazy("Cases"),
                "cases.answer",
                count=lambda: selectors.inbox(selectors.InboxFilter()).count(),
                modules=tuple(CASE_MODULES),
            ),
            portal.OfficeEntry(
                "correspondence_office_announcements",
                gettext_lazy("Announcements and outages"),
                "announcements.publish",
                modules=(Module.ANNOUNCEMENTS, Module.FAILURE_REPORTS),
            ),
            portal.OfficeEntry(
                "correspondence_office_documents",
                gettext_lazy("The organisation's documents"),
                "library.manage",
                modules=(Module.DOCUMENTS,),
            ),
            portal.OfficeEntry(
                "correspondence_office_letters",
                gettext_lazy("Letters to customers"),
                "letters.send",
                modules=(Module.CORRESPONDENCE,),
            ),
        ]
        for entry in entries:
            portal.register_office_entry(entry)
