"""URL patterns every host has (theme, language switch, API schema and docs)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ebok import views

common_patterns = [
    path("theme.css", views.theme_css, name="theme_css"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "ebok.views.bad_request"
handler403 = "ebok.views.permission_denied"
handler404 = "ebok.views.page_not_found"
handler500 = "ebok.views.server_error"
