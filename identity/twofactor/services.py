"""Two-factor authentication: TOTP (django-otp) with QR enrolment, and hashed backup codes.

Staff and operators must use it; customers may; a tenant may require it for everyone
(``session.require_2fa_for_everyone``). A user who has a confirmed device is always asked for it.
"""

from __future__ import annotations

import base64
import logging
import secrets

import segno
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, user_has_device

from core.sealing import InvalidToken, seal
from identity.errors import TwoFactorError
from identity.models import AuthEvent, BackupCode, BackupCodeDevice, User
from identity.models import SealedTOTPDevice as TOTPDevice
from identity.selectors import tenant_config
from identity.services import audit, reauthenticate, security_notice
from identity.twofactor.codes import hash_code, new_codes, shown

logger = logging.getLogger(__name__)


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


def enrolment_refused(user: User, *, session_verified: bool) -> bool:
    """A user who already has an authenticator may set up another one only from a session that
    passed the second factor: the password alone never replaces the device."""
    return not session_verified and has_confirmed_device(user)


@transaction.atomic
def totp_enrolment_start(*, user: User, device_id: int | None = None) -> TOTPDevice:
    """The unconfirmed device to show: the one this session is already showing (``device_id``),
    so reloading the page or fetching its images never replaces the secret the user is typing
    into the app; else a new one."""
    if device_id is not None:
        current = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
        if current is not None:
            return current
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=user, name="TOTP", confirmed=False, sealed_key=seal(secrets.token_bytes(20))
    )


def totp_qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def totp_secret_for_humans(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def backup_codes_issue(*, user: User) -> list[str]:
    """New backup codes (the old ones stop working); returned once, stored hashed."""
    BackupCode.objects.filter(user=user).delete()
    BackupCodeDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    codes = new_codes()
    BackupCode.objects.bulk_create(BackupCode(user=user, code_hash=hash_code(c)) for c in codes)
    return [shown(c) for c in codes]


def totp_enrolment_confirm(
    *,
    user: User,
    device_id: int,
    token: str,
    session_verified: bool,
    password: str = "",
    current_code: str = "",
    info=None,
) -> tuple[list[str], TOTPDevice]:
    """Confirm a new TOTP device with a code from the app; returns the new backup codes and the
    device (the session is then verified with it).

    Replacing an existing device needs a session that passed the second factor, the account's
    password and a code of the current device (or a backup code); the owner is told by e-mail.
    Raises ApplicationError (nothing changes but the audit row and django-otp's throttle) when
    any of these is missing or wrong."""

    replacing = has_confirmed_device(user)
    if replacing:
        if not session_verified:
            raise TwoFactorError.reauthentication_required()
        # Throttled per account and audited, outside any transaction (a refusal keeps its row).
        reauthenticate(user=user, current_password=password, info=info)
        with transaction.atomic():  # django-otp locks the devices it checks
            current = _current_device_accepting(user, current_code)
        if current is None:
            _audit_refusal(user, info, "replacement_current_code")
            raise TwoFactorError.wrong_current_code()
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=user, confirmed=False)
            .first()
        )
        accepted = device is not None and device.verify_token(_digits(token))
        if accepted:
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            kind = (
                AuthEvent.Kind.TWO_FACTOR_REPLACED
                if replacing
                else AuthEvent.Kind.TWO_FACTOR_ENROLLED
            )
            audit(kind, user=user, login=user.get_username(), info=info)
            security_notice(user=user, event=kind)
            return backup_codes_issue(user=user), device
    _audit_refusal(user, info, "enrolment")
    raise TwoFactorError.wrong_new_code()


def _audit_refusal(user: User, info, stage: str) -> None:

    audit(
        AuthEvent.Kind.TWO_FACTOR_FAILED,
        user=user,
        login=user.get_username(),
        info=info,
        stage=stage,
    )


def _digits(token: str) -> str:
    return "".join(str(token or "").split())


def _current_device_accepting(user: User, token: str):
    token = _digits(token)
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        try:
            if device.verify_token(token):
                return device
        except InvalidToken:
            # The secret opens with none of TOTP_ENCRYPTION_KEYS (a key removed too early): the
            # code cannot be checked, so it is refused; operators must restore the key.
            logger.error("TOTP device %s of user %s cannot be decrypted", device.pk, user.pk)
    return None


def seconds_until_codes_are_checked(user: User) -> int:
    """How long django-otp still refuses to check this user's authenticator codes after wrong
    ones (its delay doubles with each failure); 0 when it checks them now."""
    waits = [0]
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return max(waits)


def second_factor_verify(*, user: User, token: str, info=None):
    """The device that accepts ``token`` (TOTP, then backup codes), or None. A TOTP code works
    once: django-otp refuses a code at or before the last one used."""

    with transaction.atomic():
        device = _current_device_accepting(user, token)
    if device is None:
        _audit_refusal(user, info, "login")
    return device
