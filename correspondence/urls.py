from django.urls import path

from correspondence import office, office_publications, publications, views

urlpatterns = [
    path("announcements/", publications.announcements, name="correspondence_announcements"),
    path("outages/", publications.outages, name="correspondence_outages"),
    path("documents/", publications.documents, name="correspondence_documents"),
    path(
        "documents/public/",
        publications.documents_public,
        name="correspondence_documents_public",
    ),
    path(
        "documents/files/<int:pk>",
        publications.document_file,
        name="correspondence_document_file",
    ),
    path("letters/", publications.letters, name="correspondence_letters"),
    path("letters/<int:pk>/", publications.letter, name="correspondence_letter"),
    path("letters/<int:pk>/pdf", publications.letter_pdf, name="correspondence_letter_pdf"),
    path(
        "office/announcements/",
        office_publications.announcements,
        name="correspondence_office_announcements",
    ),
    path(
        "office/announcements/<int:pk>/",
        office_publications.announcement_edit,
        name="correspondence_office_announcement",
    ),
    path(
        "office/announcements/<int:pk>/withdraw",
        office_publications.announcement_withdraw,
        name="correspondence_office_announcement_withdraw",
    ),
    path(
        "office/announcements/<int:pk>/notify",
        office_publications.announcement_notify,
        name="correspondence_office_announcement_notify",
    ),
    path(
        "office/library/",
        office_publications.documents,
        name="correspondence_office_documents",
    ),
    path(
        "office/library/<int:pk>/version",
        office_publications.document_version,
        name="correspondence_office_document_version",
    ),
    path(
        "office/library/<int:pk>/withdraw",
        office_publications.document_withdraw,
        name="correspondence_office_document_withdraw",
    ),
    path("office/letters/", office_publications.letters, name="correspondence_office_letters"),
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
    path(
        "office/cases/new/<int:customer_id>/",
        office.case_new,
        name="correspondence_office_case_new",
    ),
    path("office/cases/ratings/", office.ratings, name="correspondence_office_ratings"),
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
