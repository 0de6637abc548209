from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    schema = "tenant"

    def ready(self) -> None:
        from payments import personal_data

        personal_data.register()
        from payments import card

        card.register()
        from django.utils.translation import gettext_lazy

        from billing.selectors import register_paid_online, register_pending_credit
        from core import portal, throttling
        from core.access import Role
        from core.sealing import register_sealed
        from identity.permissions import register_permission
        from payments.selectors import invoices_paid_online, paid_online_not_booked
        from payments.services import payments_ready
        from tenants.policies import Module

        portal.register_module_page(Module.ONLINE_PAYMENTS, "payments_pay", ready=payments_ready)
        register_permission(
            "payments.view", frozenset({Role.CUSTOMER_SERVICE, Role.ACCOUNTANT, Role.TENANT_ADMIN})
        )
        modules = (Module.ONLINE_PAYMENTS,)
        portal.register_office_entry(
            portal.OfficeEntry(
                "payments_office_list",
                gettext_lazy("Online payments"),
                "payments.view",
                modules=modules,
            )
        )
        portal.register_office_entry(
            portal.OfficeEntry(
                "payments_office_account",
                gettext_lazy("Online payments: the merchant account"),
                "tenant.configure",
                modules=modules,
            )
        )

        # Gateways notify from a few addresses, again and again when they get no 200.
        throttling.register_limit("payment_notify_ip", 600, 60)
        register_sealed("payments.GatewayAccount", "sealed_secrets")
        register_pending_credit(paid_online_not_booked)
        register_paid_online(invoices_paid_online)
