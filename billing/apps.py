from django.apps import AppConfig

# The customer's pages of billing's modules (premises, contracts and points of supply share one).
MODULE_PAGES = {
    "charges": "billing_charges",
    "invoices": "billing_invoices",
    "payments_received": "billing_payments",
    "settlements": "billing_settlements",
    "balance_confirmation": "billing_balance_confirmations",
    "premises": "billing_premises",
    "contracts": "billing_premises",
    "service_points": "billing_premises",
    "e_invoice": "billing_einvoice",
    "membership": "billing_membership",
    "debt_collection": "billing_debt_collection",
}


class BillingConfig(AppConfig):
    name = "billing"
    schema = "tenant"

    def ready(self) -> None:
        from billing import personal_data

        personal_data.register()
        from django.db.models.signals import post_save

        from billing import exporting, registration_matching, search, selectors
        from core import portal
        from identity import profile, registration
        from identity.models import User

        registration.register_matcher(registration_matching.match_customer)
        registration.register_attacher(
            registration_matching.attach_customers, registration_matching.owner_email
        )
        profile.register_section(selectors.account_sections)
        post_save.connect(search.account_saved, sender=User, dispatch_uid="billing.search")
        search.register_finder(search.invoices_found)
        exporting.register_billing_feeds()
        _register_desk()
        search.register_finder(search.contracts_found)
        _register_events()
        for module, url_name in MODULE_PAGES.items():
            portal.register_module_page(module, url_name)


def _register_desk() -> None:
    from django.utils.translation import gettext_lazy as _

    from billing import access, card
    from core import portal
    from identity.permissions import register_permission

    register_permission("customers.view", card.CARD_ROLES)
    register_permission("customers.finance", card.FINANCE_ROLES)
    register_permission("customers.edit", card.EDIT_ROLES)
    register_permission("reports.view", card.REPORT_ROLES)
    card.register()
    portal.register_office_entry(
        portal.OfficeEntry("office_customers", _("Customers"), "customers.view")
    )
    portal.register_office_entry(portal.OfficeEntry("office_reports", _("Reports"), "reports.view"))
    portal.register_office_entry(
        portal.OfficeEntry(
            "office_manager_applications",
            _("Property managers' applications"),
            "managers.review",
            modules=("property_managers",),
        )
    )
    portal.register_office_entry(
        portal.OfficeEntry(
            "office_access_ending",
            _("Access ending with the legal title"),
            "accounts.block",
            count=lambda: len(access.accounts_losing_access()),
            when=lambda config: config.access.end_with_legal_title,
        )
    )


def _register_events() -> None:
    from django.utils.translation import gettext_lazy as _

    from notifications.catalogue import Event, register_event
    from tenants.policies import Module

    group = _("Payments and settlements")
    # Wherever the portal shows what is due (invoices, charges, a cooperative's settlements).
    modules = (Module.INVOICES, Module.CHARGES, Module.SETTLEMENTS)
    register_event(Event("invoice_new", _("A new invoice"), group, "invoice_new", modules=modules))
    register_event(
        Event(
            "payment_due",
            _("A payment is due in a few days"),
            group,
            "payment_due",
            modules=modules,
        )
    )
    register_event(
        Event(
            "access_ending",
            _("Access to the portal ends with the legal title to the premises"),
            _("Account security"),
            "access_ending",
            mandatory=True,
            urgent=True,
            for_customers=False,  # always sent where the rule applies: nothing to choose
        )
    )
    register_event(
        Event(
            "balance_overdue",
            _("A payment is overdue"),
            group,
            "balance_overdue",
            urgent=True,
            modules=modules,
        )
    )
