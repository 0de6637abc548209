from django.urls import path

from payments import api

urlpatterns = [
    path("payments", api.PaymentsApi.as_view(), name="api-payments"),
    path("payments/export", api.PaymentExportApi.as_view(), name="api-payments-export"),
    path("payments/<uuid:public_id>", api.PaymentApi.as_view(), name="api-payment"),
    path("payments/notify/<slug:gateway>", api.NotifyView.as_view(), name="api-payments-notify"),
    path(
        "payments/notify/<slug:gateway>/<uuid:public_id>",
        api.NotifyView.as_view(),
        name="api-payment-notify",
    ),
]
