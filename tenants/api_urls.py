from django.urls import path

from tenants.api import TenantInfoApi

urlpatterns = [
    path("tenant", TenantInfoApi.as_view(), name="api-tenant"),
]
