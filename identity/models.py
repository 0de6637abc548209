import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connection, models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.access import STAFF_ROLES, Role
from identity.sealing import unseal


class User(AbstractUser):
    """One user model for every schema: operators in ``public``, customers, property managers and
    staff in their tenant's schema."""

    Role = Role  # the one vocabulary of roles (core.access)
    STAFF_ROLES = STAFF_ROLES

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(_("language"), max_length=5, default="pl")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Customer symbol (e.g. L0000123) where the tenant logs in by it; unique when set.
    customer_symbol = models.CharField(_("customer symbol"), max_length=32, blank=True)
    # A new e-mail address waiting for its owner to open the link sent to it.
    pending_email = models.EmailField(blank=True)
    # Temporary and one-time passwords: nothing opens before the user sets a new one.
    must_change_password = models.BooleanField(default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    role__in=[
                        "customer",
                        "manager",
                        "customer_service",
                        "accountant",
                        "technician",
                        "tenant_admin",
                        "operator",
                    ]  # as the migration that made it: the constraint's values stay literal
                ),
                name="user_role_valid",
            ),
            models.UniqueConstraint(
                fields=["customer_symbol"],
                condition=~models.Q(customer_symbol=""),
                name="user_customer_symbol_unique",
            ),
        ]

    @property
    def shown_login(self) -> str:
        """The login as its owner types it. A login by PESEL is stored as a keyed hash, which is a
        storage key and never shown: such an account shows its customer symbol, else the words
        "your PESEL number"."""
        if self.username.startswith("pesel:"):
            return self.customer_symbol or str(_("your PESEL number"))
        return self.username

    @property
    def login_names(self) -> list[str]:
        """Every name this account logs in with that a password must not contain."""
        names = [self.customer_symbol]
        if not self.username.startswith("pesel:"):
            names.append(self.username)
        return [name for name in dict.fromkeys(names) if name]

    @property
    def greeting_name(self) -> str:
        return self.get_full_name() or self.shown_login

    @property
    def is_tenant_staff(self) -> bool:
        return self.role in self.STAFF_ROLES

    @property
    def is_tenant_admin(self) -> bool:
        return self.role == self.Role.TENANT_ADMIN

    @property
    def needs_second_factor(self) -> bool:
        """Staff and operators must use 2FA (the tenant may require it for everyone)."""
        return self.role in self.STAFF_ROLES or self.role == self.Role.OPERATOR


class LoginLock(models.Model):
    """Consecutive failed logins per account, or per typed login that matches no account, so an
    unknown login counts and "locks" exactly like a real one."""

    key = models.CharField(max_length=200, unique=True)  # "user:<pk>" or "login:<normalised>"
    failures = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class PasswordHistory(models.Model):
    """Every password a user has had (temporary ones too), for "differs from the last N"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


def document_upload_path(instance, filename: str) -> str:
    """Files live under the tenant's schema name: one tenant's files never share a folder with
    another's (they are served only through identity.views.document_pdf, never from /media/)."""
    return f"{connection.schema_name}/documents/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """A versioned document users must accept (regulations, e-services policy, …)."""

    class Kind(models.TextChoices):
        REGULATIONS = "regulations", _("Regulations")
        E_SERVICES_POLICY = "e_services_policy", _("E-services policy")
        PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
        COOKIES_POLICY = "cookies_policy", _("Cookies policy")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    # The title in the platform's other languages ({"en": …, "uk": …}); the Polish title stands
    # in for a language left out. The text itself is the tenant's legal wording, in Polish.
    titles = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    pdf = models.FileField(upload_to=document_upload_path, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="document_kind_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def shown_title(self) -> str:
        """The title in the reader's language, else the Polish one."""
        return (self.titles or {}).get(translation.get_language() or "pl") or self.title


class DocumentAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acceptances"
    )
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document"], name="acceptance_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.document_id}"


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


class BackupCode(models.Model):
    """A static 2FA backup code, stored as salted SHA-256 (the codes carry 60 random bits, so a
    slow hash adds nothing but latency); each works once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backup_codes"
    )
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"backup code of {self.user_id}"


class BackupCodeDevice(ThrottlingMixin, Device):
    """django-otp device over the user's hashed backup codes (django-otp's own static tokens are
    stored in plain text)."""

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        from identity.twofactor import backup_code_matches  # noqa: PLC0415 - twofactor imports these models

        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        normalised = "".join(str(token).split()).upper().replace("-", "")
        for code in BackupCode.objects.select_for_update().filter(
            user=self.user, used_at__isnull=True
        ):
            if backup_code_matches(normalised, code.code_hash):
                code.used_at = timezone.now()
                code.save(update_fields=["used_at"])
                self.throttle_reset()
                return True
        self.throttle_increment()
        return False


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """django-otp's TOTP device with its secret encrypted at rest (identity.sealing): the table
    holds no usable key without the server's ``TOTP_ENCRYPTION_KEYS``. Verification, throttling,
    replay refusal (``last_t``) and the provisioning URL are django-otp's own code."""

    sealed_key = models.TextField()
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "TOTP device"

    @property
    def bin_key(self) -> bytes:
        return unseal(self.sealed_key)

    # django-otp's TOTP logic over the decrypted key (its functions read only these fields).
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings


class StaffAccess(models.Model):
    """A staff member was shown a customer's personal data (SECURITY.md G3): who, whose, which
    group of fields, for what, when. Written by the pages that show it; read by the audit."""

    class FieldGroup(models.TextChoices):
        CONTACT = "contact", _("Contact data")
        IDENTITY = "identity", _("Identity data (name, symbol, masked PESEL)")

    class Purpose(models.TextChoices):
        ACCOUNT_SEARCH = "account_search", _("Account search")
        REGISTRATION_REVIEW = "registration_review", _("Registration review")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_accesses"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accessed_by_staff",
    )
    # The customer record shown (billing's id; identity does not name billing's model).
    customer_id = models.BigIntegerField(null=True, blank=True)
    field_group = models.CharField(max_length=20, choices=FieldGroup.choices)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__isnull=False) | models.Q(customer_id__isnull=False),
                name="staff_access_names_a_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} saw {self.field_group} of {self.subject_id or self.customer_id}"


class ApiKey(models.Model):
    """A tenant's integration key (the ERP's), scoped to import and export. Only its SHA-256 is
    stored; ``prefix`` names it in lists."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RegistrationRequest(models.Model):
    """One application for an account, as the tenant's registration flow asks for it. Holds no
    PESEL: only what is needed to decide and to write back (the proof is matched, not kept)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, being verified")
        AWAITING_REVIEW = "awaiting_review", _("Waiting for the office")
        ACTIVATION_SENT = "activation_sent", _("Activation link sent")
        COMPLETED = "completed", _("Account active")
        REJECTED = "rejected", _("Rejected")
        NOT_RECOGNISED = "not_recognised", _("Not recognised")

    flow = models.CharField(max_length=32)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    login = models.CharField(max_length=150, blank=True)  # the login asked for (or a PESEL alias)
    # The language the applicant wrote in: every message about the request is written in it.
    language = models.CharField(max_length=5, blank=True)
    details = models.JSONField(default=dict)  # what staff see: symbol, name, address, masked ids
    proof = models.JSONField(default=dict)  # what the matcher needs (hashed identifiers only)
    matched_customers = models.JSONField(default=list)
    # The versions of the documents accepted in the form; recorded on the account when it exists.
    accepted_documents = models.JSONField(default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.flow} {self.status} {self.email}"


class CorrespondenceAddress(models.Model):
    """Where the customer wants letters sent when not to the premises (seed A's account page).
    Voluntary contact data: the customer changes or erases it at any time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="correspondence_address"
    )
    country = models.CharField(_("country"), max_length=60, default="Polska")
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    post_office = models.CharField(_("post office"), max_length=80, blank=True)
    town = models.CharField(_("town"), max_length=80)
    street = models.CharField(_("street"), max_length=120, blank=True)
    house_no = models.CharField(_("house number"), max_length=20)
    flat_no = models.CharField(_("flat number"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        number = f"{self.house_no}/{self.flat_no}" if self.flat_no else self.house_no
        street = f"{self.street} {number}" if self.street else f"{self.town} {number}"
        office = self.post_office or self.town
        return f"{street}, {self.postcode} {office}".strip(", ")
