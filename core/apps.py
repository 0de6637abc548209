from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "core"
    # The throttling counters live in every schema (core.models.RateCounter).
    schema = "both"

    def ready(self) -> None:
        from core.logging import install_pesel_masking

        install_pesel_masking()
