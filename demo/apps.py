from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo portals"
    schema = "shared"  # a management command and code only; no tables
