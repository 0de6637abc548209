from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Organisations")
    # Where the app's tables live: "shared" (public schema), "tenant" or "both".
    schema = "shared"

    def ready(self) -> None:
        from tenants import signals  # noqa: F401
