"""Host routing: root host, tenant hosts, custom domains, unknown hosts, suspension, caching."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Tenant
from tenants.services import tenant_domain_add, tenant_status_set

pytestmark = pytest.mark.django_db


def test_root_host_serves_the_platform_landing_page(client, tenants):
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    body = response.content.decode()
    assert "ebok" in body
    assert tenants.a.configuration.branding.portal_name not in body


def test_each_tenant_host_serves_its_own_portal_name_and_colours(client, tenants):
    page_a = client.get("/", HTTP_HOST="alpha.localhost").content.decode()
    page_b = client.get("/", HTTP_HOST="beta.localhost").content.decode()
    assert "e-BOM – Spółdzielnia Alfa" in page_a
    assert "mojBOK Beta Energia" in page_b
    assert "mojBOK" not in page_a
    theme_a = client.get("/theme.css", HTTP_HOST="alpha.localhost").content.decode()
    assert tenants.a.configuration.branding.primary_colour in theme_a


def test_host_with_port_and_www_prefix_routes_to_the_tenant(client, tenants):
    response = client.get("/", HTTP_HOST="www.alpha.localhost:8000")
    assert response.status_code == 200
    assert "Spółdzielnia Alfa" in response.content.decode()


def test_unknown_subdomain_gets_friendly_translated_404(client, tenants):
    response = client.get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    assert "Pod tym adresem nie ma portalu" in response.content.decode()
    english = client.get("/", HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="en")
    assert "There is no portal at this address" in english.content.decode()


def test_foreign_host_gets_404_not_the_public_site(client, tenants):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_custom_domain_routes_to_its_tenant(client, tenants, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_domain_add(tenant=tenants.b, domain="ebok.beta-energia.example")
    response = client.get("/", HTTP_HOST="ebok.beta-energia.example")
    assert response.status_code == 200
    assert "mojBOK Beta Energia" in response.content.decode()


def test_suspended_tenant_shows_the_suspension_page(
    client, tenants, django_capture_on_commit_callbacks
):
    assert client.get("/", HTTP_HOST="alpha.localhost").status_code == 200  # cached as active
    with django_capture_on_commit_callbacks(execute=True):
        tenant_status_set(tenant=tenants.a, status=Tenant.Status.SUSPENDED, actor="test")
    page = client.get("/login/", HTTP_HOST="alpha.localhost")
    assert page.status_code == 503
    assert "Usługa jest zawieszona" in page.content.decode()
    api = client.get("/api/v1/tenant", HTTP_HOST="alpha.localhost")
    assert api.status_code == 503
    assert api.json()["code"] == "tenant_suspended"
    # the other tenant is unaffected
    assert client.get("/", HTTP_HOST="beta.localhost").status_code == 200


def test_domain_lookup_is_cached_and_costs_no_query_after_the_first(client, tenants):
    client.get("/api/v1/tenant", HTTP_HOST="alpha.localhost")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tenant", HTTP_HOST="alpha.localhost")
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any("tenants_domain" in sql for sql in statements), statements
    assert len(statements) <= 1, statements


def test_a_changed_status_is_seen_without_restart(
    client, tenants, django_capture_on_commit_callbacks
):
    client.get("/", HTTP_HOST="beta.localhost")
    with django_capture_on_commit_callbacks(execute=True):
        tenant_status_set(tenant=tenants.b, status=Tenant.Status.SUSPENDED, actor="test")
    assert client.get("/", HTTP_HOST="beta.localhost").status_code == 503
    with django_capture_on_commit_callbacks(execute=True):
        tenant_status_set(tenant=tenants.b, status=Tenant.Status.ACTIVE, actor="test")
    assert client.get("/", HTTP_HOST="beta.localhost").status_code == 200
