from django.urls import path

from core.outbox import dev_views

urlpatterns = [
    path("", dev_views.mail_list, name="dev-mail"),
    path("<int:pk>/", dev_views.mail_detail, name="dev-mail-detail"),
    path("<int:pk>/html", dev_views.mail_html, name="dev-mail-html"),
]
