"""URL patterns every host has (theme, language switch, API schema and docs)."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView, SpectacularSwaggerSplitView

from ebok import views


class HostSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host's own URLs: the platform API on the root host, the tenant
    API on a tenant's host (the tenant middleware sets ``request.urlconf``)."""

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request, *args, **kwargs):
        self.urlconf = getattr(request, "urlconf", None) or self.urlconf
        return super().get(request, *args, **kwargs)


common_patterns = [
    path("theme.css", views.theme_css, name="theme_css"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", HostSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "ebok.views.bad_request"
handler403 = "ebok.views.permission_denied"
handler404 = "ebok.views.page_not_found"
handler500 = "ebok.views.server_error"
