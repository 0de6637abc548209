"""URLs on the platform's root host."""

from django.urls import path

from ebok import views
from ebok.urls_common import common_patterns, handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", views.landing, name="home"),
    *common_patterns,
]
