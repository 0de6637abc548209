from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"
    schema = "tenant"

    def ready(self) -> None:
        from notifications import personal_data

        personal_data.register()
        from notifications import card

        card.register()
        # Registries of the layers below, filled when the app registry is ready.
        from django.utils.translation import gettext_lazy as _

        from core import portal
        from core.access import PORTAL_ROLES, Role
        from core.outbox.services import register_transport
        from core.sealing import register_sealed
        from core.throttling import register_limit
        from identity import profile
        from identity.permissions import register_permission
        from identity.services import register_publish_listener, register_security_notifier
        from notifications import selectors, services, sms
        from notifications.catalogue import Event, register_event

        register_transport("sms", sms.transport)
        register_sealed("notifications.SmsAccount", "sealed_token")
        register_limit("sms_report_ip", 600, 60)
        register_security_notifier(services.security_notify)
        register_publish_listener(services.document_published)
        profile.register_link(
            profile.Link("notifications_preferences", _("Notices"), frozenset(PORTAL_ROLES))
        )
        register_permission(
            "notifications.view", frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN})
        )
        register_permission(
            "notifications.send", frozenset({Role.CUSTOMER_SERVICE, Role.TENANT_ADMIN})
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "notifications_office_messages",
                _("Notices sent and undelivered"),
                "notifications.view",
                count=lambda: selectors.dead_letters().count(),
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "notifications_office_sms", _("Text messages (SMS)"), "tenant.configure"
            )
        )
        register_event(
            Event(
                "document_to_accept",
                _("A new version of the regulations or another document to accept"),
                _("My account"),
                "document_to_accept",
                urgent=True,
            )
        )
        security = _("Account security")
        for code, title in (
            ("security_password_changed", _("Your password was changed")),
            ("security_contact_changed", _("Your e-mail address was changed")),
            ("security_account_locked", _("Your account was locked")),
            ("security_two_factor_enrolled", _("Two-factor authentication was set up")),
            ("security_two_factor_replaced", _("Your authenticator app was replaced")),
            ("security_two_factor_reset", _("Your second factor was reset")),
        ):
            register_event(
                Event(
                    code=code,
                    title=title,
                    group=security,
                    template=code,
                    mandatory=True,
                    urgent=True,
                )
            )
