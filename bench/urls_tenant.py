from django.urls import path

from bench.views import ping
from ebok.urls_tenant import urlpatterns as tenant_patterns

urlpatterns = [path("bench/ping", ping), *tenant_patterns]
