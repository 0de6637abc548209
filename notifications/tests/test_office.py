"""The tenant admin's settings of notices in the office: saved through the audited path of
tenant settings, refused with the setting's own words when wrong, changing nothing then."""

from __future__ import annotations

import pytest

from identity.services import user_create
from identity.tests.conftest import login_verified_staff
from notifications.tests.conftest import PASSWORD
from tenants.models import TenantSettingChange

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
SETTINGS = {
    "part": "settings",
    "sms_offered": "on",
    "sms_sender": "SM Alfa",
    "quiet_from_hour": "22",
    "quiet_to_hour": "7",
    "digest_hour": "18",
    "due_reminder_days": "5",
    "sms_max_parts": "2",
    "sms_plain_letters": "on",
}


@pytest.fixture
def admin(residents, client):
    user = user_create(login="admin", password=PASSWORD, role="tenant_admin", email="a@e.x")
    login_verified_staff(client, HOST, user, PASSWORD)
    return user


def test_the_admin_sets_the_organisations_notices(admin, client, tenants):
    response = client.post("/office/notifications/sms/", SETTINGS, HTTP_HOST=HOST)
    assert response.status_code == 302
    tenants.a.refresh_from_db()
    tenants.a.__dict__.pop("_configuration", None)
    saved = tenants.a.configuration.notifications
    assert (saved.sms_sender, saved.quiet_from_hour, saved.quiet_to_hour) == ("SM Alfa", 22, 7)
    assert (saved.digest_hour, saved.due_reminder_days, saved.sms_max_parts) == (18, 5, 2)
    change = TenantSettingChange.objects.filter(key="notifications").latest("pk")
    assert change.new_value["quiet_from_hour"] == 22
    assert change.actor.startswith("admin")
    off = client.post("/office/notifications/sms/", {**SETTINGS, "sms_offered": ""}, HTTP_HOST=HOST)
    assert off.status_code == 302
    tenants.a.refresh_from_db()
    tenants.a.__dict__.pop("_configuration", None)
    assert [str(c) for c in tenants.a.configuration.notifications.channels] == ["email"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sms_sender", "Spółdz Alfa", "Użyj najwyżej 11 liter"),
        ("quiet_from_hour", "24", "Podaj liczbę od 0 do 23."),
        ("sms_max_parts", "0", "Podaj liczbę od 1 do 6."),
    ],
)
def test_a_wrong_setting_is_refused_and_nothing_changes(admin, client, field, value, message):
    before = TenantSettingChange.objects.count()
    response = client.post("/office/notifications/sms/", {**SETTINGS, field: value}, HTTP_HOST=HOST)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TenantSettingChange.objects.count() == before
