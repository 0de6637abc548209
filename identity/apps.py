from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Identity")
    # Users live in every schema: operators in public, customers and staff in their tenant's.
    schema = "both"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core import portal
        from core.access import PORTAL_ROLES, Role
        from identity import card, personal_data, profile

        personal_data.register()
        card.register()
        profile.register_link(
            profile.Link("data_export", _("A copy of my data"), frozenset({Role.CUSTOMER}))
        )
        profile.register_link(profile.Link("consents", _("Consents"), PORTAL_ROLES))
        profile.register_link(
            profile.Link("erasure_request", _("Delete my account and data"), PORTAL_ROLES)
        )
        from identity.accessibility import review_due_count

        portal.register_office_entry(
            portal.OfficeEntry(
                "office_accessibility",
                _("Accessibility declaration"),
                "tenant.configure",
                count=review_due_count,
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "office_privacy_records", _("Record of processing (GDPR)"), "privacy.records"
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "office_erasure_queue",
                _("Requests to erase data"),
                "privacy.erasure",
                count=_erasures_waiting,
            )
        )
        from identity import schema  # noqa: F401 - registers the API's OpenAPI extensions
        from identity.onboarding import invitations
        from tenants.provisioning import AdministratorHooks, register_administrator_hooks

        register_administrator_hooks(
            AdministratorHooks(
                create=invitations.administrator_create,
                resend=invitations.administrator_invitation_resend,
            )
        )


def _erasures_waiting() -> int:
    from identity.models import ErasureRequest  # noqa: PLC0415 - models load after the app

    return ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING).count()
