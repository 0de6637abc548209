"""The second factor cannot be replaced by someone who knows only the password (audit finding 1):
enrolment is refused while an authenticator exists and the session has not passed it, and a
replacement asks for the password and a code of the current authenticator, then tells the owner."""

import base64
import re

import pytest
from django.db import connection
from django_otp.oath import totp

from core.outbox.models import Message
from core.sealing import seal
from identity.models import AuthEvent
from identity.models import SealedTOTPDevice as TOTPDevice
from identity.services import user_create
from identity.tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORD = "BiUr42#ok"


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=6)
    return f"{value:06d}"


@pytest.fixture
def enrolled_staff(client, staff):
    """Staff whose authenticator is confirmed; the client is logged out again."""
    login_verified_staff(client, HOST, staff, PASSWORD)
    client.post("/logout/", HTTP_HOST=HOST)
    return staff


def test_password_alone_cannot_enrol_a_new_authenticator(client, enrolled_staff):
    original = TOTPDevice.objects.get(user=enrolled_staff, confirmed=True)
    mails_before = Message.objects.count()
    login(client, HOST, "obsluga", PASSWORD)

    page = client.get("/account/2fa/enrol/", HTTP_HOST=HOST)
    assert page.status_code == 403
    assert "data:image/svg+xml" not in page.content.decode()  # no secret is shown
    assert not TOTPDevice.objects.filter(user=enrolled_staff, confirmed=False).exists()

    # Posting a code for a device the attacker made some other way changes nothing either.
    forged = TOTPDevice.objects.create(
        user=enrolled_staff, name="TOTP", confirmed=False, sealed_key=seal(b"k" * 20)
    )
    session = client.session
    session["ebok_enrolling_device"] = forged.pk
    session.save()
    posted = client.post("/account/2fa/enrol/", {"code": _code(forged)}, HTTP_HOST=HOST)
    assert posted.status_code == 403
    forged.refresh_from_db()
    assert forged.confirmed is False
    assert list(TOTPDevice.objects.filter(user=enrolled_staff, confirmed=True)) == [original]
    assert client.get("/office/", HTTP_HOST=HOST)["Location"] == "/account/2fa/"
    assert (
        AuthEvent.objects.filter(
            kind="two_factor_failed", user=enrolled_staff, details__stage="enrolment_refused"
        ).count()
        == 2
    )
    assert Message.objects.count() == mails_before


def test_operator_password_alone_cannot_enrol_on_the_console_host(client, public_schema):
    operator = user_create(login="olga", password=PASSWORD, role="operator", email="o@e.example")
    login_verified_staff(client, "localhost", operator, PASSWORD)
    client.post("/logout/", HTTP_HOST="localhost")
    client.post("/login/", {"login": "olga", "password": PASSWORD}, HTTP_HOST="localhost")
    assert client.get("/account/2fa/enrol/", HTTP_HOST="localhost").status_code == 403
    assert client.get("/console/", HTTP_HOST="localhost")["Location"] == "/account/2fa/"
    assert TOTPDevice.objects.filter(user=operator, confirmed=True).count() == 1


def _verified_session(client, user):
    login(client, HOST, user.get_username(), PASSWORD)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    device.last_t -= 1  # the code used at enrolment may be typed again (as the next period's)
    device.save()
    assert client.post("/account/2fa/", {"code": _code(device)}, HTTP_HOST=HOST).status_code == 302
    return device


def test_replacement_needs_password_and_current_code_then_tells_the_owner(
    client, enrolled_staff, django_capture_on_commit_callbacks
):
    old = _verified_session(client, enrolled_staff)
    page = client.get("/account/2fa/enrol/", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert 'name="current_code"' in page.content.decode()
    new = TOTPDevice.objects.get(user=enrolled_staff, confirmed=False)

    attempts = [
        {"code": _code(new)},  # neither password nor current code
        {"code": _code(new), "current_password": "wrong", "current_code": "000000"},
        {"code": _code(new), "current_password": PASSWORD, "current_code": "123456"},
    ]
    for data in attempts:
        refused = client.post("/account/2fa/enrol/", data, HTTP_HOST=HOST)
        assert refused.status_code == 400
        assert list(TOTPDevice.objects.filter(user=enrolled_staff, confirmed=True)) == [old]
    old.refresh_from_db()
    old.throttling_failure_count = 0  # as if the throttle's delay had passed
    old.last_t -= 1
    old.save()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/account/2fa/enrol/",
            {"code": _code(new), "current_password": PASSWORD, "current_code": _code(old)},
            HTTP_HOST=HOST,
        )
    assert done.status_code == 200
    assert list(TOTPDevice.objects.filter(user=enrolled_staff, confirmed=True)) == [new]
    assert AuthEvent.objects.filter(kind="two_factor_replaced", user=enrolled_staff).count() == 1
    notice = Message.objects.filter(recipient=enrolled_staff.email).latest("pk")
    assert notice.subject.startswith("Aplikacja uwierzytelniająca została zastąpiona")
    assert base64.b32encode(new.bin_key).decode().rstrip("=")[:8] not in notice.body_text


def _shown_secret(page) -> str:
    return re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.content.decode()).group(1)


def test_reloading_the_enrolment_page_keeps_the_secret_on_screen(client, staff):
    login(client, HOST, "obsluga", PASSWORD)
    first = client.get("/account/2fa/enrol/", HTTP_HOST=HOST)
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.get("/branding/logo.png", HTTP_HOST=HOST)  # the page's images load, too
    again = client.get("/account/2fa/enrol/", HTTP_HOST=HOST)
    assert TOTPDevice.objects.get(user=staff, confirmed=False).bin_key == device.bin_key
    assert _shown_secret(first) == _shown_secret(again)
    done = client.post("/account/2fa/enrol/", {"code": _code(device)}, HTTP_HOST=HOST)
    assert done.status_code == 200
    assert TOTPDevice.objects.get(user=staff, confirmed=True).pk == device.pk


def test_first_enrolment_is_announced_to_the_owner(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login_verified_staff(client, HOST, staff, PASSWORD)
    assert connection.schema_name == "alpha"
    notices = Message.objects.filter(recipient=staff.email)
    assert [m.subject.split(" – ")[0] for m in notices] == [
        "Uwierzytelnianie dwuskładnikowe zostało włączone"
    ]


def test_a_code_typed_during_the_throttle_delay_says_to_wait(client, enrolled_staff):
    """django-otp refuses to check codes for a moment after a wrong one; the page says so
    instead of calling a right code wrong (seen in a browser)."""
    device = _verified_session(client, enrolled_staff)
    client.post("/logout/", HTTP_HOST=HOST)
    login(client, HOST, "obsluga", PASSWORD)
    client.post("/account/2fa/", {"code": "000000"}, HTTP_HOST=HOST)
    device.refresh_from_db()
    device.last_t -= 1
    device.save(update_fields=["last_t"])
    refused = client.post("/account/2fa/", {"code": _code(device)}, HTTP_HOST=HOST)
    assert refused.status_code == 400
    assert "Zbyt wiele błędnych kodów. Odczekaj" in refused.content.decode()


def test_a_first_wrong_code_is_called_wrong_not_too_many(client, enrolled_staff):
    """A first wrong code is wrong: the page does not say "too many wrong codes, wait 1 s"
    (the delay it starts is django-otp's, and a second try after it is checked)."""
    _verified_session(client, enrolled_staff)
    client.post("/logout/", HTTP_HOST=HOST)
    login(client, HOST, "obsluga", PASSWORD)
    refused = client.post("/account/2fa/", {"code": "000000"}, HTTP_HOST=HOST)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Zbyt wiele błędnych kodów" not in page
    assert "Kod jest nieprawidłowy" in page
