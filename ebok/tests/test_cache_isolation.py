"""The cache never hands one tenant's value to another (SECURITY.md T2): the default cache,
cache_page and the template fragment cache all key by the tenant's schema."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.views.decorators.cache import cache_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_value_cached_in_tenant_a_is_a_miss_in_tenant_b(tenants):
    connection.set_tenant(tenants.a)
    cache.set("saldo", "alfa: 100 zł")
    assert cache.get("saldo") == "alfa: 100 zł"
    connection.set_tenant(tenants.b)
    assert cache.get("saldo") is None
    cache.set("saldo", "beta: 7 zł")
    connection.set_tenant(tenants.a)
    assert cache.get("saldo") == "alfa: 100 zł"


def test_cache_page_does_not_serve_tenant_a_page_on_tenant_b(tenants):
    @cache_page(60)
    def page(request):
        return HttpResponse(f"strona {connection.schema_name}")

    factory = RequestFactory(HTTP_HOST="alpha.localhost")
    connection.set_tenant(tenants.a)
    assert page(factory.get("/faktury/")).content == b"strona alpha"
    connection.set_tenant(tenants.b)
    assert page(factory.get("/faktury/")).content == b"strona beta"
    connection.set_tenant(tenants.a)
    assert page(factory.get("/faktury/")).content == b"strona alpha"  # A's own copy, cached


def test_a_fragment_cached_in_tenant_a_is_rendered_anew_in_tenant_b(tenants):
    template = Template("{% load cache %}{% cache 60 stopka %}{{ name }}{% endcache %}")
    connection.set_tenant(tenants.a)
    assert template.render(Context({"name": "Spółdzielnia Alfa"})) == "Spółdzielnia Alfa"
    connection.set_tenant(tenants.b)
    assert template.render(Context({"name": "Beta Energia"})) == "Beta Energia"
