from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    schema = "tenant"

    def ready(self) -> None:
        from core import throttling

        # Gateways notify from a few addresses, again and again when they get no 200.
        throttling.register_limit("payment_notify_ip", 600, 60)
