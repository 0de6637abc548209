from django.urls import path

from notifications import api

urlpatterns = [
    path("me/notifications", api.MeNotificationsApi.as_view(), name="api-me-notifications"),
    path(
        "notifications/sms-report/<str:secret>",
        api.SmsReportApi.as_view(),
        name="api-notifications-sms-report",
    ),
]
