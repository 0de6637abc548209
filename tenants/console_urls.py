from django.urls import path

from tenants import console_views as views

urlpatterns = [
    path("", views.console_home, name="console_home"),
    path("audit/", views.console_audit, name="console_audit"),
    path("retention/", views.console_retention, name="console_retention"),
    path("tenants/<int:pk>/", views.console_tenant, name="console_tenant"),
    path("tenants/<int:pk>/suspend/", views.console_suspend, name="console_suspend"),
    path("tenants/<int:pk>/reactivate/", views.console_reactivate, name="console_reactivate"),
    path("tenants/<int:pk>/domains/", views.console_domain_add, name="console_domain_add"),
    path(
        "tenants/<int:pk>/invitation/",
        views.console_invitation_resend,
        name="console_invitation_resend",
    ),
    path("tenants/<int:pk>/settings/", views.console_setting, name="console_setting"),
    path("tenants/<int:pk>/export/", views.console_export, name="console_export"),
    path(
        "tenants/<int:pk>/exports/<str:name>",
        views.console_export_download,
        name="console_export_download",
    ),
    path("tenants/<int:pk>/delete/", views.console_delete, name="console_delete"),
]
