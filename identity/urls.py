from django.urls import path

from identity import views
from identity.onboarding import views as onboarding_views
from identity.registration import views as registration_views

# Login, logout, second factor, forced password change, documents and the session: on every
# host (operators use them on the platform's root host).
account_patterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/password/change/", views.password_change_view, name="password_change_forced"),
    path("account/terms/", views.terms_view, name="terms_accept"),
    path("account/2fa/", views.two_factor_view, name="two_factor"),
    path("account/2fa/enrol/", views.two_factor_enrol_view, name="two_factor_enrol"),
    path("session/refresh", views.session_refresh_view, name="session_refresh"),
]

urlpatterns = [
    *account_patterns,
    path("login/reminder/", views.login_reminder_view, name="login_reminder"),
    path("password/reset/", views.password_reset_request_view, name="password_reset"),
    path(
        "password/reset/<str:token>/",
        views.password_reset_complete_view,
        name="password_reset_complete",
    ),
    path("account/", views.account_view, name="account"),
    path("account/contact/erase/", views.contact_erase_view, name="contact_erase"),
    path("account/data/", views.data_export_view, name="data_export"),
    path("account/consents/", views.consents_view, name="consents"),
    path("account/erase/", views.erasure_request_view, name="erasure_request"),
    path(
        "account/data/<int:pk>/download/",
        views.data_export_download_view,
        name="data_export_download",
    ),
    path("account/email/confirm/<str:token>/", views.email_confirm_view, name="email_confirm"),
    path("account/password/", views.password_change_view, name="password_change"),
    path("register/", registration_views.register_view, name="register"),
    path(
        "register/activate/<str:token>/",
        registration_views.register_activate_view,
        name="register_activate",
    ),
    path("password/set/<str:token>/", views.password_set_view, name="password_set"),
    path("documents/<int:pk>/", views.document_view, name="document"),
    path(
        "deklaracja-dostepnosci/",
        views.accessibility_declaration,
        name="accessibility_declaration",
    ),
    path("documents/<int:pk>/pdf", views.document_pdf, name="document_pdf"),
    path("branding/<str:name>", onboarding_views.branding_logo, name="branding_logo"),
]
