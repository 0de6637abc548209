from django.apps import AppConfig


class EbokConfig(AppConfig):
    name = "ebok"
    verbose_name = "ebok"
    schema = "shared"  # templates, static files and commands only; no tables

    def ready(self) -> None:
        from ebok.logging import install_pesel_masking

        install_pesel_masking()
