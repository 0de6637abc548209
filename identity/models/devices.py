"""Second-factor devices: backup codes, and TOTP secrets sealed at rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.sealing import unseal
from identity.twofactor.codes import backup_code_matches, normalised


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
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        typed = normalised(token)
        for code in BackupCode.objects.select_for_update().filter(
            user=self.user, used_at__isnull=True
        ):
            if backup_code_matches(typed, code.code_hash):
                code.used_at = timezone.now()
                code.save(update_fields=["used_at"])
                self.throttle_reset()
                return True
        self.throttle_increment()
        return False


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """django-otp's TOTP device with its secret encrypted at rest (identity.twofactor.sealing):
    the table holds no usable key without the server's ``TOTP_ENCRYPTION_KEYS``. Verification,
    throttling, replay refusal (``last_t``) and the provisioning URL are django-otp's own code."""

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
