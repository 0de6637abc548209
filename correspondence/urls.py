from django.urls import path

from correspondence import office, views

urlpatterns = [
    path("cases/", views.cases, name="correspondence_cases"),
    path("cases/new/<slug:kind>/", views.case_new, name="correspondence_case_new"),
    path("cases/<int:pk>/", views.case_detail, name="correspondence_case"),
    path("cases/<int:pk>/reply", views.case_reply, name="correspondence_case_reply"),
    path("cases/<int:pk>/close", views.case_close, name="correspondence_case_close"),
    path("cases/<int:pk>/reopen", views.case_reopen, name="correspondence_case_reopen"),
    path("cases/<int:pk>/rate", views.case_rate, name="correspondence_case_rate"),
    path("cases/attachments/<int:pk>", views.case_attachment, name="correspondence_attachment"),
    path("cases/status/", views.status_lookup, name="correspondence_status"),
    path("office/cases/", office.inbox, name="correspondence_office_inbox"),
    path("office/cases/<int:pk>/", office.case_detail, name="correspondence_office_case"),
    path(
        "office/cases/<int:pk>/answer",
        office.case_answer,
        name="correspondence_office_case_answer",
    ),
    path("office/cases/<int:pk>/note", office.case_note, name="correspondence_office_case_note"),
    path(
        "office/cases/<int:pk>/status",
        office.case_status,
        name="correspondence_office_case_status",
    ),
    path(
        "office/cases/<int:pk>/assign",
        office.case_assign,
        name="correspondence_office_case_assign",
    ),
    path(
        "office/cases/<int:pk>/change",
        office.case_change_accept,
        name="correspondence_office_case_change",
    ),
    path(
        "office/cases/attachments/<int:pk>",
        office.case_attachment,
        name="correspondence_office_attachment",
    ),
]
