"""Login identifiers, lockout at the tenant's threshold, unknown logins indistinguishable."""

import re
from pathlib import Path

import pytest
from django.db import connection

from identity.models import AuthEvent, LoginLock
from identity.services import account_unlock, user_create
from identity.tests.conftest import login
from tenants.services import tenant_setting_set

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def _body(response) -> str:
    # The CSRF token differs per response; everything else must be identical.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_customer_logs_in_by_symbol_and_gets_a_new_session(client, customer):
    client.get("/login/", HTTP_HOST=HOST)
    anonymous_session = client.cookies.get("sessionid")
    response = login(client, HOST, "L0000001", "RyBa18$05")
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != getattr(anonymous_session, "value", None)
    assert AuthEvent.objects.filter(kind="login_succeeded", user=customer).count() == 1


def test_email_login_only_where_the_tenant_allows_it(
    client, customer, tenants, django_capture_on_commit_callbacks
):
    assert (
        login(client, HOST, "l1@example.com", "RyBa18$05").status_code == 401
    )  # preset A: symbol only
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a, key="login_identifiers", value=["customer_symbol", "email"], actor="t"
        )
    assert login(client, HOST, "l1@example.com", "RyBa18$05").status_code == 302


def test_lockout_after_exactly_the_threshold_and_right_password_refused(client, customer):
    for attempt in range(1, 5):
        assert login(client, HOST, "L0000001", "wrong").status_code == 401, attempt
    locking = login(client, HOST, "L0000001", "wrong")  # the 5th failure locks (preset A)
    assert locking.status_code == 423
    refused = login(client, HOST, "L0000001", "RyBa18$05")
    assert refused.status_code == 423
    assert (
        "Skontaktuj się" in refused.content.decode()
        or "contact the office" in refused.content.decode()
    )
    assert AuthEvent.objects.filter(kind="locked", user=customer).count() == 1


def test_threshold_is_the_tenants(client, customer, tenants, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(tenant=tenants.a, key="lockout.threshold", value=3, actor="t")
    assert [login(client, HOST, "L0000001", "x").status_code for _ in range(3)] == [401, 401, 423]


def test_unknown_login_is_indistinguishable_from_a_real_one(client, customer):
    real = [login(client, HOST, "L0000001", "wrong") for _ in range(6)]
    unknown = [login(client, HOST, "L9999999", "wrong") for _ in range(6)]
    assert (
        [r.status_code for r in real] == [r.status_code for r in unknown] == [401] * 4 + [423, 423]
    )
    for r, u in zip(real, unknown, strict=True):
        assert _body(r).replace("L0000001", "LOGIN") == _body(u).replace("L9999999", "LOGIN")


def test_staff_unlock_lets_the_customer_in_again(client, customer, staff):
    for _ in range(5):
        login(client, HOST, "L0000001", "wrong")
    assert login(client, HOST, "L0000001", "RyBa18$05").status_code == 423
    assert account_unlock(user=customer, actor=staff) is True
    assert login(client, HOST, "L0000001", "RyBa18$05").status_code == 302
    assert AuthEvent.objects.filter(kind="unlocked", user=customer).count() == 1


def test_automatic_unlock_after_the_policy_time(
    client, customer, tenants, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(
            tenant=tenants.a,
            key="lockout",
            actor="t",
            value={"threshold": 3, "unlock": "automatic_after_time", "unlock_after_minutes": 30},
        )
    for _ in range(3):
        login(client, HOST, "L0000001", "x")
    assert login(client, HOST, "L0000001", "RyBa18$05").status_code == 423
    lock = LoginLock.objects.get(key=f"user:{customer.pk}")
    lock.locked_at = lock.locked_at.replace(year=lock.locked_at.year - 1)
    lock.save()
    assert login(client, HOST, "L0000001", "RyBa18$05").status_code == 302


def test_failures_are_per_tenant(client, customer, tenants):
    for _ in range(5):
        login(client, HOST, "L0000001", "wrong")
    connection.set_tenant(tenants.b)
    user_create(login="L0000001", password="Iskra2026")
    assert login(client, "beta.localhost", "L0000001", "Iskra2026").status_code == 302


def test_audit_never_holds_a_password_or_a_pesel(client, customer):
    login(client, HOST, "44051401359", "Secret-Pass-1")
    events = list(AuthEvent.objects.values_list("login", "details"))
    assert events
    assert all("44051401359" not in str(e) and "Secret-Pass-1" not in str(e) for e in events)


def test_spoofed_forwarded_for_does_not_escape_the_ip_throttle(client, customer, settings):
    settings.NUM_PROXIES = 0
    statuses = [
        login(client, HOST, f"L{i:07d}", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(32)
    ]
    assert statuses[-1] == 429  # 30 per 5 minutes per client address, whatever the header says


def test_behind_the_deployed_proxy_one_attacker_does_not_throttle_everyone(
    client, customer, settings
):
    """Audit finding 5 and SECURITY.md A4, with NUM_PROXIES as both deployments set it (1): the
    client is the address the proxy appended; whatever an attacker puts before it is ignored."""
    settings.NUM_PROXIES = 1
    proxy = {"REMOTE_ADDR": "172.18.0.5"}  # the nginx / ingress container
    attacker = [
        login(
            client,
            HOST,
            f"L{i:07d}",
            "x",
            HTTP_X_FORWARDED_FOR=f"10.9.{i}.1, 203.0.113.66",  # rotating spoofed prefix
            **proxy,
        ).status_code
        for i in range(31)
    ]
    assert attacker == [401] * 30 + [429]
    # Another client behind the same proxy logs in as usual.
    other = login(
        client, HOST, "L0000001", "RyBa18$05", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
    )
    assert other.status_code == 302


def test_the_deployments_set_num_proxies_for_their_proxy():
    import yaml

    root = Path(__file__).resolve().parents[2]
    compose = yaml.safe_load((root / "deploy/compose.yaml").read_text())
    web_env = compose["services"]["web"]["environment"]
    assert web_env["NUM_PROXIES"] == "${NUM_PROXIES:-1}"
    assert "nginx" in compose["services"]
    values = yaml.safe_load((root / "helm/ebok/values.yaml").read_text())
    assert values["env"]["NUM_PROXIES"] == "1"
    assert values["ingress"]["enabled"] is True


def test_old_pbkdf2_hash_is_rehashed_as_argon2id_at_login(client, alpha, settings):
    from django.contrib.auth.hashers import make_password

    from identity.models import User

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = user_create(login="L0000042", password=None)
    User.objects.filter(pk=user.pk).update(
        password=make_password("RyBa18$05", hasher="pbkdf2_sha256")
    )
    assert login(client, HOST, "L0000042", "RyBa18$05").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=")


def test_logged_out_session_cookie_is_dead_when_replayed(client, customer):
    login(client, HOST, "L0000001", "RyBa18$05")
    cookie = client.cookies["sessionid"].value
    client.post("/logout/", HTTP_HOST=HOST)
    client.cookies["sessionid"] = cookie
    assert client.get("/account/", HTTP_HOST=HOST).status_code == 302


def test_old_throttle_windows_are_purged(client, alpha):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import RateCounter
    from core.tasks import ratecounter_purge

    old = RateCounter.objects.create(
        scope="login_ip", key="x", window_start=timezone.now() - timedelta(days=2), count=3
    )
    fresh = RateCounter.objects.create(
        scope="login_ip", key="y", window_start=timezone.now(), count=1
    )
    assert ratecounter_purge() == 1
    # (other tests' processes may have left windows of today: they stay, as this one does)
    assert not RateCounter.objects.filter(pk=old.pk).exists()
    assert RateCounter.objects.filter(pk=fresh.pk).exists()
