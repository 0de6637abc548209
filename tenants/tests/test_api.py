"""GET /api/v1/tenant, the error shape, and the OpenAPI schema."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("host", "flow", "threshold"),
    [("alpha", "activation_request", 5), ("beta", "contract_activation", 5)],
)
def test_tenant_info_reports_its_own_configuration(client, tenants, host, flow, threshold):
    response = client.get("/api/v1/tenant", HTTP_HOST=f"{host}.localhost")
    assert response.status_code == 200
    body = response.json()
    assert body["registration"]["flow"] == flow
    assert body["lockout_threshold"] == threshold
    assert body["idle_timeout_seconds"] == 900
    assert body["languages"] == ["pl", "en", "uk"]
    assert set(body) >= {
        "name",
        "portal_name",
        "kind",
        "branding",
        "modules",
        "login_identifiers",
        "password_policy",
    }


def test_tenant_info_of_one_tenant_never_shows_another(client, tenants):
    body_a = client.get("/api/v1/tenant", HTTP_HOST="alpha.localhost").content.decode()
    assert "Beta Energia" not in body_a


def test_unknown_api_path_answers_in_the_error_shape_and_language(client, tenants):
    response = client.get(
        "/api/v1/does-not-exist", HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}
    polish = client.get("/api/v1/does-not-exist", HTTP_HOST="alpha.localhost")
    assert polish.json()["detail"] == "Nie znaleziono."


def test_method_not_allowed_uses_the_error_shape(client, tenants):
    response = client.post("/api/v1/tenant", HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_openapi_schema_and_docs_are_served_locally(client, tenants):
    schema = client.get("/api/schema/", HTTP_HOST="alpha.localhost")
    assert schema.status_code == 200
    assert b"/api/v1/tenant" in schema.content
    docs = client.get("/api/docs/", HTTP_HOST="alpha.localhost")
    assert docs.status_code == 200
    assert b"//cdn" not in docs.content
    assert b"unpkg" not in docs.content


def test_html_pages_carry_security_headers(client, tenants):
    response = client.get("/", HTTP_HOST="alpha.localhost")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Language"] == "pl"


def test_the_root_host_documents_the_platform_api(client, tenants):
    schema = client.get("/api/schema/", HTTP_HOST="localhost").content
    assert b"/api/v1/signup" in schema
    assert b"/api/v1/operators/tenants" in schema
    assert b"/api/v1/premises" not in schema  # tenant endpoints live on tenant hosts
