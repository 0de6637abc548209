from django.urls import path

from metering import api

urlpatterns = [
    path("meters", api.MetersApi.as_view(), name="api-meters"),
    path("meters/<int:pk>/readings", api.MeterReadingsApi.as_view(), name="api-meter-readings"),
    path(
        "meters/<int:pk>/consumption",
        api.MeterConsumptionApi.as_view(),
        name="api-meter-consumption",
    ),
]
