"""Accounts: the one user model of every schema, lockout counters, password history, the
correspondence address, and the record of staff shown a customer's data."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.access import STAFF_ROLES, Role


class User(AbstractUser):
    """One user model for every schema: operators in ``public``, customers, property managers and
    staff in their tenant's schema."""

    Role = Role  # the one vocabulary of roles (core.access)
    STAFF_ROLES = STAFF_ROLES

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(_("language"), max_length=5, default="pl")
    # The person chose ``language`` themselves (the footer's switch, logged in): it follows the
    # account to every device it logs in on. Until then the browser's language stands.
    language_chosen = models.BooleanField(default=False)
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


class StaffAccess(models.Model):
    """A staff member was shown a customer's personal data (SECURITY.md G3): who, whose, which
    group of fields, for what, when. Written by the pages that show it; read by the audit."""

    class FieldGroup(models.TextChoices):
        CONTACT = "contact", _("Contact data")
        IDENTITY = "identity", _("Identity data (name, symbol, masked PESEL)")
        FINANCIAL = "financial", _("Financial data (balance, invoices, payments)")

    class Purpose(models.TextChoices):
        ACCOUNT_SEARCH = "account_search", _("Account search")
        REGISTRATION_REVIEW = "registration_review", _("Registration review")
        CUSTOMER_SEARCH = "customer_search", _("Customer search")
        CUSTOMER_CARD = "customer_card", _("Customer card")

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
    # Why, in the clerk's words or the page's (the search typed, the case being handled).
    reason = models.CharField(max_length=200, blank=True)
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
