from django.urls import path

from notifications import office, views

urlpatterns = [
    path("account/notifications/", views.preferences, name="notifications_preferences"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="notifications_unsubscribe",
    ),
    path("office/notifications/", office.messages_list, name="notifications_office_messages"),
    path(
        "office/notifications/<int:pk>/",
        office.message_detail,
        name="notifications_office_message",
    ),
    path(
        "office/notifications/<int:pk>/resend/",
        office.message_resend,
        name="notifications_office_resend",
    ),
    path("office/notifications/sms/", office.sms_account, name="notifications_office_sms"),
    path(
        "office/notifications/account/<int:user_id>/",
        office.account_notices,
        name="notifications_office_account",
    ),
]
