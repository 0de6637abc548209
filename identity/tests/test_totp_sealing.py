"""TOTP secrets are encrypted at rest (audit finding 11, SECURITY.md "TOTP secrets encrypted at
rest"): the table holds nothing an authenticator could be set up from, keys rotate without
anyone enrolling again, and old plain-text devices are moved into the sealed table."""

import base64
import importlib
from binascii import hexlify

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice as PlainTOTPDevice

from identity.models import SealedTOTPDevice
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"
OLD_KEY, NEW_KEY, STRANGE_KEY = (Fernet.generate_key().decode() for _ in range(3))


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"


def _logs_in_with_code(client, user) -> bool:
    client.post("/logout/", HTTP_HOST=HOST)
    login(client, HOST, user.get_username(), PASSWORD)
    device = SealedTOTPDevice.objects.get(user=user, confirmed=True)
    device.last_t -= 1  # let the current period's code be used again in this test
    device.throttling_failure_count = 0
    device.save()
    return client.post("/account/2fa/", {"code": _code(device)}, HTTP_HOST=HOST).status_code == 302


def test_the_stored_row_does_not_hold_the_secret(client, staff):
    login_verified_staff(client, HOST, staff, PASSWORD)
    device = SealedTOTPDevice.objects.get(user=staff, confirmed=True)
    secret = device.bin_key
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(d)::text FROM identity_sealedtotpdevice d WHERE id = %s",
            [device.pk],
        )
        (row,) = cursor.fetchone()
    for form in (hexlify(secret).decode(), base64.b32encode(secret).decode().rstrip("=")):
        assert form.lower() not in row.lower()
    assert not PlainTOTPDevice.objects.exists()  # nothing in django-otp's plain-text table


def test_keys_rotate_without_anyone_enrolling_again(client, staff, settings):
    settings.TOTP_ENCRYPTION_KEYS = [OLD_KEY]
    login_verified_staff(client, HOST, staff, PASSWORD)
    settings.TOTP_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # the new key first
    assert _logs_in_with_code(client, staff)
    call_command("totp_rekey", verbosity=0)
    settings.TOTP_ENCRYPTION_KEYS = [NEW_KEY]  # the old key removed
    assert _logs_in_with_code(client, staff)


def test_a_secret_no_key_opens_refuses_the_code_without_an_error_page(client, staff, settings):
    settings.TOTP_ENCRYPTION_KEYS = [OLD_KEY]
    login_verified_staff(client, HOST, staff, PASSWORD)
    device = SealedTOTPDevice.objects.get(user=staff, confirmed=True)
    code = f"{totp(device.bin_key, step=30, t0=-30, digits=6):06d}"  # the next period's code
    settings.TOTP_ENCRYPTION_KEYS = [STRANGE_KEY]
    client.post("/logout/", HTTP_HOST=HOST)
    login(client, HOST, "obsluga", PASSWORD)
    refused = client.post("/account/2fa/", {"code": code}, HTTP_HOST=HOST)
    assert refused.status_code == 400


def test_plain_text_devices_are_moved_into_the_sealed_table(staff):
    plain = PlainTOTPDevice.objects.create(user=staff, name="stary", confirmed=True)
    secret = plain.bin_key
    migration = importlib.import_module("identity.migrations.0008_sealed_totp_device")
    migration.seal_existing_devices(apps, None)
    assert not PlainTOTPDevice.objects.exists()
    moved = SealedTOTPDevice.objects.get(user=staff)
    assert (moved.name, moved.confirmed, moved.bin_key) == ("stary", True, secret)
    assert moved.verify_token(_code(moved))
