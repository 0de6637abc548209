"""The security log, single-use link tokens, API tokens and integration keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthEvent(models.Model):
    """Audit log of authentication events. Never holds a password; a login that looks like a
    PESEL is stored masked."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("Login succeeded")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGIN_REFUSED_LOCKED = "login_refused_locked", _("Login refused: account locked")
        LOCKED = "locked", _("Account locked")
        UNLOCKED = "unlocked", _("Account unlocked")
        LOGGED_OUT = "logged_out", _("Logged out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        RESET_REQUESTED = "reset_requested", _("Password reset requested")
        RESET_COMPLETED = "reset_completed", _("Password reset completed")
        REMINDER_REQUESTED = "reminder_requested", _("Login reminder requested")
        TERMS_ACCEPTED = "terms_accepted", _("Documents accepted")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor authentication enrolled")
        TWO_FACTOR_FAILED = "two_factor_failed", _("Two-factor code refused")
        TWO_FACTOR_REPLACED = "two_factor_replaced", _("Two-factor authenticator replaced")
        ACCOUNT_BLOCKED = "account_blocked", _("Account blocked by the office")
        ACCOUNT_UNBLOCKED = "account_unblocked", _("Account unblocked by the office")
        REAUTHENTICATION_FAILED = (
            "reauthentication_failed",
            _("Password confirmation for a change refused"),
        )
        SESSION_EXPIRED = "session_expired", _("Session expired")
        CONTACT_ERASED = "contact_erased", _("Contact data erased")
        CONTACT_CHANGED = "contact_changed", _("Contact data changed")
        ACCOUNT_CREATED_IN_PERSON = "account_created_in_person", _("Account opened at the office")
        STAFF_INVITED = "staff_invited", _("Staff member invited")
        FIRST_LOGIN_PASSWORD_ISSUED = (
            "first_login_password_issued",
            _("First-login password issued"),
        )
        STAFF_ROLE_CHANGED = "staff_role_changed", _("Staff member's role changed")
        STAFF_DEACTIVATED = "staff_deactivated", _("Staff member's account closed")
        STAFF_REACTIVATED = "staff_reactivated", _("Staff member's account opened again")
        TWO_FACTOR_RESET = "two_factor_reset", _("Second factor reset by the administrator")
        API_KEY_CREATED = "api_key_created", _("Integration key created")
        API_KEY_REVOKED = "api_key_revoked", _("Integration key revoked")
        AUDIT_EXPORTED = "audit_exported", _("Audit log exported")
        CREDENTIALS_RESENT = "credentials_resent", _("First credentials sent again")
        SETTINGS_CHANGED = "settings_changed", _("Rules of the portal changed")
        DATA_EXPORT_REQUESTED = "data_export_requested", _("Copy of own data requested")
        DATA_EXPORT_DOWNLOADED = "data_export_downloaded", _("Copy of own data downloaded")
        ERASURE_REQUESTED = "erasure_requested", _("Erasure of data requested")
        ERASURE_DONE = "erasure_done", _("Data erased at the person's request")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    login = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.login}"


class OneTimeToken(models.Model):
    """A single-use link token (password reset, set password, activation), or a one-time
    password. Only a hash is stored (SHA-256 of a link token; an HMAC under the server's key of a
    one-time password); the secret itself exists only in the e-mail."""

    class Purpose(models.TextChoices):
        PASSWORD_RESET = "password_reset", "password reset"
        SET_PASSWORD = "set_password", "set password"
        ACTIVATION = "activation", "activation"
        ONE_TIME_PASSWORD = "one_time_password", "one-time password"
        EMAIL_CHANGE = "email_change", "e-mail change"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.purpose} for {self.user_id}"


class ApiToken(models.Model):
    """A bearer token of the API; stored as SHA-256, expires after the tenant's idle timeout."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Gates carried by the token, as a session carries them: set at login, cleared when done.
    terms_pending = models.BooleanField(default=False)
    second_factor_pending = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"token of {self.user_id}"


class ApiKey(models.Model):
    """A tenant's integration key (the ERP's), scoped to import and export. Only its SHA-256 is
    stored; ``prefix`` names it in lists."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    # The administrator who made it (none: made on the command line); a departing employee's
    # keys are revoked with their account.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_keys",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
