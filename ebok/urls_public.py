"""URLs on the platform's root host: landing, organisation signup, the operators' console (with
the login and second-factor pages it needs) and the platform API."""

from django.urls import include, path

from ebok import views
from ebok.urls_common import common_patterns, handler400, handler403, handler404, handler500  # noqa: F401
from identity.urls import account_patterns

urlpatterns = [
    path("", views.landing, name="home"),
    path("", include("tenants.signup_urls")),
    path("console/", include("tenants.console_urls")),
    *account_patterns,
    path("api/v1/", include("tenants.platform_api_urls")),
    path("dev/mail/", include("core.outbox.dev_urls")),
    *common_patterns,
]
