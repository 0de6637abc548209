from django.urls import path

from identity.office import accessibility as accessibility_views
from identity.office import settings as settings_views
from identity.office import staff as staff_views
from identity.office import views as office_views
from identity.onboarding import views as onboarding_views
from identity.registration import views as registration_views

urlpatterns = [
    path("", office_views.office_home, name="office_home"),
    path("accounts/", office_views.accounts, name="office_accounts"),
    path("accounts/<int:pk>/block/", office_views.account_block, name="office_block"),
    path("accounts/<int:pk>/unblock/", office_views.account_unblock, name="office_unblock"),
    path("accounts/locked/", office_views.locked_accounts, name="office_locked"),
    path("accounts/<int:pk>/unlock/", office_views.account_unlock, name="office_unlock"),
    path(
        "accounts/<int:pk>/credentials-resend",
        office_views.account_credentials_resend,
        name="office_credentials_resend",
    ),
    path("audit/", office_views.audit_log, name="office_audit"),
    path("privacy/records/", office_views.privacy_records, name="office_privacy_records"),
    path("privacy/erasure/", office_views.erasure_queue, name="office_erasure_queue"),
    path(
        "privacy/erasure/<int:pk>/carry-out",
        office_views.erasure_carry_out,
        name="office_erasure_carry_out",
    ),
    path("settings/", settings_views.settings_index, name="office_settings"),
    path("accessibility/", accessibility_views.accessibility_edit, name="office_accessibility"),
    path("settings/<str:group>/", settings_views.settings_section, name="office_settings_section"),
    path("staff/", staff_views.staff, name="office_staff"),
    path("staff/<int:pk>/role", staff_views.staff_role, name="office_staff_role"),
    path("staff/<int:pk>/deactivate", staff_views.staff_deactivate, name="office_staff_deactivate"),
    path("staff/<int:pk>/reactivate", staff_views.staff_reactivate, name="office_staff_reactivate"),
    path(
        "staff/<int:pk>/second-factor-reset",
        staff_views.staff_second_factor_reset,
        name="office_staff_second_factor_reset",
    ),
    path("api-keys/", staff_views.api_keys, name="office_api_keys"),
    path("api-keys/<int:pk>/revoke", staff_views.api_key_revoke, name="office_api_key_revoke"),
    path("documents/", office_views.documents, name="office_documents"),
    path("onboarding/", onboarding_views.onboarding_step, name="office_onboarding"),
    path("onboarding/<str:step>/", onboarding_views.onboarding_step, name="office_onboarding_step"),
    path("registrations/", registration_views.office_registrations, name="office_registrations"),
    path("accounts/new/", registration_views.office_account_new, name="office_account_new"),
    path(
        "accounts/first-login-password/",
        registration_views.office_password_reissue_by_login,
        name="office_password_reissue_by_login",
    ),
    path(
        "accounts/<int:pk>/first-login-password/",
        registration_views.office_password_reissue,
        name="office_password_reissue",
    ),
    path(
        "registrations/<int:pk>/decide/",
        registration_views.office_registration_decide,
        name="office_registration_decide",
    ),
]
