from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "core.outbox"
    label = "outbox"
    verbose_name = "Outbox"
    # Every schema has its outbox: tenants' mail in their schema, signup/operator mail in public.
    schema = "both"
