"""Boundaries that a mutation of the code once survived, each tested on both sides: the oldest
remembered password, a grant's last day, and who may import."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import ApplicationError
from identity.services import password_set, user_create
from identity.tests.conftest import login_verified_staff
from tenants.services import tenant_setting_set

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"
PASSWORDS = ["PiErwsze12!", "DrUgie22!x", "TrZecie33!x", "CzWarte44!x"]


def _refusal_codes(password, user) -> list[str]:
    with pytest.raises(ApplicationError) as refused:
        password_set(user=user, password=password)
    return [error.code for error in refused.value.extra["fields"]["new_password"]]


def test_password_history_remembers_exactly_the_last_n(
    customer, tenants, django_capture_on_commit_callbacks
):
    """History 3: the current password and the two before it are refused; the one before those
    (the fourth from now) is allowed again."""
    with django_capture_on_commit_callbacks(execute=True):
        tenant_setting_set(tenant=tenants.a, key="password_policy.history", value=3, actor="t")
    from tenants.models import Tenant

    connection.set_tenant(Tenant.objects.get(pk=tenants.a.pk))  # with the new policy
    for password in PASSWORDS:
        password_set(user=customer, password=password)
    for remembered in PASSWORDS[-3:]:  # the current one, the previous, the oldest remembered
        assert _refusal_codes(remembered, customer) == ["reused"]
    password_set(user=customer, password=PASSWORDS[0])  # one further back: allowed again
    customer.refresh_from_db()
    assert customer.check_password(PASSWORDS[0])


def test_a_grant_is_valid_on_its_last_day_and_not_the_day_after(client, tenants):
    from billing.importing import import_text
    from billing.models import Premises, PremisesGrant
    from billing.services import grant_create, manager_company_create
    from billing.tests.conftest import FILES

    connection.set_tenant(tenants.a)
    for entity in ("customers", "premises", "legal-titles"):
        assert import_text(entity, FILES[entity]).errors == []
    manager = user_create(login="zarzadca", password="x", role="manager")
    company = manager_company_create(name="Z", nip="5260250274", users=[manager])
    today = timezone.localdate()
    grant_create(
        company=company,
        premises_ids=[Premises.objects.get(erp_id="M1").pk],
        valid_from=today - timedelta(days=30),
        valid_to=today,
        actor="t",
    )
    client.force_login(manager)

    def visible() -> list[str]:
        rows = client.get("/api/v1/premises", HTTP_HOST=HOST).json()["results"]
        return [f"{r['street']} {r['building_no']}/{r['flat_no']}" for r in rows]

    assert visible() == ["Leśna 1/2"]  # the last day: still granted
    PremisesGrant.objects.update(valid_to=today - timedelta(days=1))
    assert visible() == []  # the day after the last: gone


@pytest.mark.parametrize(
    ("role", "status"),
    [("accountant", 200), ("tenant_admin", 200), ("customer_service", 403), ("technician", 403)],
)
def test_only_accountants_and_admins_import(client, tenants, role, status):
    from billing.models import ImportJob

    connection.set_tenant(tenants.a)
    user = user_create(login=f"u-{role}", password="BiUr42#ok", role=role)
    login_verified_staff(client, HOST, user, "BiUr42#ok")
    assert client.get("/office/import/", HTTP_HOST=HOST).status_code == status
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        "/office/import/",
        {"entity": "customers", "file": SimpleUploadedFile("k.csv", b"erp_id;name\nK9;X\n")},
        HTTP_HOST=HOST,
    )
    assert ImportJob.objects.exists() is (status == 200)
