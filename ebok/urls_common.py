"""URL patterns every host has (theme, language switch, API schema and docs)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView, SpectacularSwaggerSplitView

from ebok import views
from identity.views.login import language_set_view


class HostSchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host's own URLs: the platform API on the root host, the tenant
    API on a tenant's host (the tenant middleware sets ``request.urlconf``)."""

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request, *args, **kwargs):
        self.urlconf = getattr(request, "urlconf", None) or self.urlconf
        return super().get(request, *args, **kwargs)


common_patterns = [
    path("theme.css", views.theme_css, name="theme_css"),
    # Django's set_language, and a logged-in person's account keeps the choice too
    path("i18n/setlang/", language_set_view, name="set_language"),
    path("api/schema/", HostSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "ebok.views.bad_request"
handler403 = "ebok.views.permission_denied"
handler404 = "ebok.views.page_not_found"
handler500 = "ebok.views.server_error"
