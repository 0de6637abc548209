"""The platform's API on its root host."""

from django.urls import path

from tenants import api

urlpatterns = [
    path("signup", api.SignupApi.as_view(), name="api-signup"),
    path(
        "signup/availability",
        api.SubdomainAvailabilityApi.as_view(),
        name="api-signup-availability",
    ),
    path("signup/<uuid:public_id>", api.SignupStatusApi.as_view(), name="api-signup-status"),
    path("operators/tenants", api.OperatorTenantListApi.as_view(), name="api-operator-tenants"),
]
