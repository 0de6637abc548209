from django.urls import path

from identity import api
from identity.registration import views as registration_views

urlpatterns = [
    path("auth/login", api.LoginApi.as_view(), name="api-login"),
    path("auth/logout", api.LogoutApi.as_view(), name="api-logout"),
    path("auth/password/policy", api.PasswordPolicyApi.as_view(), name="api-password-policy"),
    path("auth/password/check", api.PasswordCheckApi.as_view(), name="api-password-check"),
    path("auth/password/change", api.PasswordChangeApi.as_view(), name="api-password-change"),
    path("auth/password/reset", api.PasswordResetApi.as_view(), name="api-password-reset"),
    path("auth/login-reminder", api.LoginReminderApi.as_view(), name="api-login-reminder"),
    path("auth/terms/accept", api.TermsAcceptApi.as_view(), name="api-terms-accept"),
    path("me", api.MeApi.as_view(), name="api-me"),
    path("registration", registration_views.RegistrationApi.as_view(), name="api-registration"),
    path(
        "registration/activate",
        registration_views.RegistrationActivateApi.as_view(),
        name="api-registration-activate",
    ),
    path("me/contact", api.MeContactApi.as_view(), name="api-me-contact"),
    path("me/export", api.MeExportApi.as_view(), name="api-me-export"),
    path("me/consents", api.MeConsentsApi.as_view(), name="api-me-consents"),
    path("me/consents/<str:purpose>", api.MeConsentApi.as_view(), name="api-me-consent"),
]
