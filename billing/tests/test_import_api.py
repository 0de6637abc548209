"""POST /api/v1/import/<entity> with the tenant's API key; GET /api/v1/import/jobs/{id}."""

import pytest
from django.db import connection

from billing.models import Customer, ImportJob
from billing.tests.conftest import FILES
from identity.services import api_key_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


@pytest.fixture
def key(tenants):
    connection.set_tenant(tenants.a)
    return api_key_create(name="ERP")


def _post(client, entity, body, key, *, host=HOST, query=""):
    return client.post(
        f"/api/v1/import/{entity}{query}",
        body,
        content_type="text/csv",
        HTTP_HOST=host,
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )


def _job(client, job_id, key, host=HOST):
    return client.get(
        f"/api/v1/import/jobs/{job_id}", HTTP_HOST=host, HTTP_AUTHORIZATION=f"Api-Key {key}"
    )


def test_import_runs_as_a_job_and_resending_changes_nothing(
    client, key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _post(client, "customers", FILES["customers"], key)
    assert accepted.status_code == 202
    job = _job(client, accepted.json()["job"], key).json()
    assert (job["status"], job["created"], job["updated"], job["unchanged"], job["progress"]) == (
        "done",
        2,
        0,
        0,
        100,
    )
    assert Customer.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        again = _post(client, "customers", FILES["customers"], key)
    assert _job(client, again.json()["job"], key).json()["unchanged"] == 2
    assert ImportJob.objects.get(pk=again.json()["job"]).payload == ""  # the file is not kept


def test_dry_run_and_row_errors(client, key, django_capture_on_commit_callbacks):
    body = FILES["customers"] + "K3;L0000003;individual;;;X\n"
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _post(client, "customers", body, key, query="?dry_run=1")
    job = _job(client, accepted.json()["job"], key).json()
    assert (job["dry_run"], job["created"]) == (True, 2)
    assert [(e["row"], e["field"], e["code"]) for e in job["errors"]] == [(3, "name", "required")]
    assert not Customer.objects.exists()


def test_bad_requests(client, key):
    assert _post(client, "spaceships", "a;b\n1;2\n", key).status_code == 404
    empty = _post(client, "customers", "", key)
    assert (empty.status_code, empty.json()["code"]) == (400, "empty_file")


def test_the_key_is_required_and_belongs_to_its_tenant(client, key, tenants):
    assert (
        client.post(
            "/api/v1/import/customers", FILES["customers"], content_type="text/csv", HTTP_HOST=HOST
        ).status_code
        == 401
    )
    assert _post(client, "customers", FILES["customers"], "ebk_wrong").status_code == 401
    assert (
        _post(client, "customers", FILES["customers"], key, host="beta.localhost").status_code
        == 401
    )
    connection.set_tenant(tenants.a)
    assert not Customer.objects.exists()


def test_a_key_reads_no_customer_data(client, key, ledger):
    response = client.get("/api/v1/invoices", HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 403


def test_customers_cannot_import(client, ledger):
    client.force_login(ledger["owner"])
    assert (
        client.post(
            "/api/v1/import/customers", FILES["customers"], content_type="text/csv", HTTP_HOST=HOST
        ).status_code
        == 401
    )
