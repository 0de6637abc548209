"""URLs on a tenant's host."""

from django.urls import include, path

from ebok import views
from ebok.urls_common import common_patterns, handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", views.tenant_home, name="home"),
    path("", include("identity.urls")),
    path("", include("notifications.urls")),
    path("office/", include("identity.office.urls")),
    path("", include("billing.urls")),
    path("", include("metering.urls")),
    path("", include("correspondence.urls")),
    path("", include("payments.urls")),
    path("api/v1/", include("tenants.api_urls")),
    path("api/v1/", include("identity.api_urls")),
    path("api/v1/", include("notifications.api_urls")),
    path("api/v1/", include("billing.api_urls")),
    path("api/v1/", include("metering.api_urls")),
    path("api/v1/", include("correspondence.api_urls")),
    path("api/v1/", include("payments.api_urls")),
    # Development only: the views answer 404 unless DEBUG is on.
    path("dev/mail/", include("core.outbox.dev_urls")),
    *common_patterns,
]
