"""Fuzzing the whole API from its own OpenAPI documents (issue: no 500 for any generated input,
every error in the documented shape {"code", "detail", "fields"})."""

import json
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from billing.importing import import_text
from billing.models import Customer
from billing.services import customer_account_attach
from billing.tests.conftest import FILES
from identity.services import api_key_create, user_create

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


@contextmanager
def _test_connection_kept():
    """The WSGI handler closes "old" connections at each request's start and end, which would
    close the test's transaction: as Django's test client does, keep it open meanwhile."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema_for(host: str):
    document = Client().get("/api/schema/", {"format": "json"}, HTTP_HOST=host)
    assert document.status_code == 200
    loaded = schemathesis.openapi.from_dict(json.loads(document.content))
    loaded.app = WSGIHandler()
    return loaded


@pytest.fixture
def tenant_api(tenants):
    return _schema_for(HOST)


@pytest.fixture
def customer_headers(tenants):
    connection.set_tenant(tenants.a)
    for entity, payload in FILES.items():
        import_text(entity, payload)
    user = user_create(login="L0000001", password="RyBa18$05", customer_symbol="L0000001")
    customer_account_attach(customer_ids=[Customer.objects.get(erp_id="K1").pk], user=user)
    token = (
        Client()
        .post(
            "/api/v1/auth/login",
            {"login": "L0000001", "password": "RyBa18$05"},
            content_type="application/json",
            HTTP_HOST=HOST,
        )
        .json()["token"]
    )
    key = api_key_create(name="ERP")
    connection.set_schema_to_public()
    return {"Authorization": f"Bearer {token}"}, {"Authorization": f"Api-Key {key}"}


def _check(response, case) -> None:
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
        body = response.json()
        assert set(body) == {"code", "detail", "fields"}, f"{where}: {body}"


def _fuzz(schema, headers_sets, base_url: str, max_examples: int) -> int:
    """Every operation of ``schema`` with generated inputs, sent with each set of headers."""
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=max_examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        def run(case):
            nonlocal calls
            for headers in headers_sets:
                response = case.call(base_url=base_url, headers=headers)
                calls += 1
                _check(response, case)

        with _test_connection_kept():
            run()
    return calls


def test_the_tenant_api_never_answers_500(tenant_api, customer_headers):
    bearer, api_key = customer_headers
    calls = _fuzz(tenant_api, ({}, bearer, api_key), f"http://{HOST}", max_examples=12)
    assert calls > 500  # every operation was exercised


def test_the_platform_api_never_answers_500(tenants):
    calls = _fuzz(_schema_for("localhost"), ({},), "http://localhost", max_examples=20)
    assert calls > 50


@pytest.mark.parametrize(
    "raw",
    [
        '{"login": "a\\u0000b", "password": "x"}',
        '{"login": "\\ud800", "password": "x"}',
        '{"login": "L1", "password": "\\udfff\\u0000"}',
    ],
)
def test_text_postgresql_cannot_store_is_refused_with_400(client, tenants, raw):
    """JSON can carry NUL and lone surrogates; the serializers refuse them (DRF validators)."""
    response = client.post(
        "/api/v1/auth/login", raw, content_type="application/json", HTTP_HOST=HOST
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
