"""Two-factor authentication: TOTP (django-otp) with QR enrolment, and hashed backup codes.

Staff and operators must use it; customers may; a tenant may require it for everyone
(``session.require_2fa_for_everyone``). A user who has a confirmed device is always asked for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import segno
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.models import AuthEvent, BackupCode, BackupCodeDevice, User
from identity.selectors import tenant_config

BACKUP_CODE_COUNT = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def second_factor_required(user: User) -> bool:
    if user.needs_second_factor:
        return True
    config = tenant_config()
    if config is not None and config.session.require_2fa_for_everyone:
        return True
    return user_has_device(user, confirmed=True)


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def issuer_name(device=None) -> str:
    config = tenant_config()
    return config.branding.portal_name if config else "ebok"


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def totp_qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def totp_secret_for_humans(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def backup_code_matches(code: str, stored: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return hmac.compare_digest(_hash_code(code, salt), stored)


@transaction.atomic
def backup_codes_issue(*, user: User) -> list[str]:
    """New backup codes (the old ones stop working); returned once, stored hashed."""
    BackupCode.objects.filter(user=user).delete()
    BackupCodeDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    codes = [
        "".join(secrets.choice(_ALPHABET) for _ in range(12)) for _ in range(BACKUP_CODE_COUNT)
    ]
    BackupCode.objects.bulk_create(BackupCode(user=user, code_hash=_hash_code(c)) for c in codes)
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


@transaction.atomic
def totp_enrolment_confirm(
    *, user: User, device_id: int, token: str, info=None
) -> list[str] | None:
    """Confirm a new TOTP device with a code from the app; returns the backup codes, or None if
    the code was wrong."""
    from identity.services import audit

    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None or not device.verify_token(token):
        audit(
            AuthEvent.Kind.TWO_FACTOR_FAILED,
            user=user,
            login=user.get_username(),
            info=info,
            stage="enrolment",
        )
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit(AuthEvent.Kind.TWO_FACTOR_ENROLLED, user=user, login=user.get_username(), info=info)
    return backup_codes_issue(user=user)


def second_factor_verify(*, user: User, token: str, info=None):
    """The device that accepts ``token`` (TOTP, then backup codes), or None. A TOTP code works
    once: django-otp refuses a code at or before the last one used."""
    from identity.services import audit

    token = "".join(str(token).split())
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    audit(
        AuthEvent.Kind.TWO_FACTOR_FAILED,
        user=user,
        login=user.get_username(),
        info=info,
        stage="login",
    )
    return None
