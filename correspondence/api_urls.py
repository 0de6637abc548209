from django.urls import path

from correspondence import api

urlpatterns = [
    path("announcements", api.AnnouncementsApi.as_view(), name="api-announcements"),
    path("documents", api.DocumentsApi.as_view(), name="api-documents"),
    path("documents/files/<int:pk>", api.DocumentFileApi.as_view(), name="api-document-file"),
    path("letters", api.LettersApi.as_view(), name="api-letters"),
    path("tickets", api.TicketsApi.as_view(), name="api-tickets"),
    path("tickets/status", api.TicketStatusApi.as_view(), name="api-ticket-status"),
    path("tickets/export", api.TicketExportApi.as_view(), name="api-tickets-export"),
    path("tickets/<int:pk>", api.TicketApi.as_view(), name="api-ticket"),
    path("tickets/<int:pk>/messages", api.TicketMessagesApi.as_view(), name="api-ticket-messages"),
    path(
        "tickets/attachments/<int:pk>",
        api.TicketAttachmentApi.as_view(),
        name="api-ticket-attachment",
    ),
]
