from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    schema = "tenant"

    def ready(self) -> None:
        from core import portal, throttling
        from payments.services import payments_ready
        from tenants.policies import Module

        portal.register_module_page(Module.ONLINE_PAYMENTS, "payments_pay", ready=payments_ready)

        # Gateways notify from a few addresses, again and again when they get no 200.
        throttling.register_limit("payment_notify_ip", 600, 60)
