from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "core"
    schema = "shared"  # template tags and code only; no tables

    def ready(self) -> None:
        from core.logging import install_pesel_masking

        install_pesel_masking()
