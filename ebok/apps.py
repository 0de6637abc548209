from django.apps import AppConfig


class EbokConfig(AppConfig):
    name = "ebok"
    verbose_name = "ebok"
    schema = "shared"  # templates, static files and commands only; no tables
