from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """One user model for every schema: operators in ``public``, customers, property managers and
    staff in their tenant's schema."""

    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        MANAGER = "manager", _("Property manager")
        CUSTOMER_SERVICE = "customer_service", _("Customer service")
        ACCOUNTANT = "accountant", _("Accountant")
        TECHNICIAN = "technician", _("Technician")
        TENANT_ADMIN = "tenant_admin", _("Organisation administrator")
        OPERATOR = "operator", _("Platform operator")

    STAFF_ROLES = frozenset({"customer_service", "accountant", "technician", "tenant_admin"})

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(_("language"), max_length=5, default="pl")
    phone = models.CharField(_("phone"), max_length=32, blank=True)

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
                    ]
                ),
                name="user_role_valid",
            ),
        ]

    @property
    def is_tenant_staff(self) -> bool:
        return self.role in self.STAFF_ROLES
