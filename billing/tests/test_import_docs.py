"""The office's help page documents every entity of the import, and each sample file it offers
imports as it is (in the order the help page gives), so the documentation cannot drift from the
import."""

import pytest
from django.db import connection
from django.test import Client

from billing.importing import ENTITIES, import_text
from billing.importing.docs import columns, sample_csv
from identity.services import user_create
from identity.tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db
HOST = "alpha.localhost"


def test_every_sample_file_imports_as_it_is(tenants):
    connection.set_tenant(tenants.a)
    for entity, spec in ENTITIES.items():
        if spec.prepare is not None:  # a collector's own JSON shape, documented apart
            continue
        result = import_text(entity, sample_csv(entity))
        assert result.errors == [], (entity, sample_csv(entity), result.errors)
        assert result.created == 1, entity


def test_every_column_is_described(tenants):
    for entity in ENTITIES:
        for doc in columns(entity):
            assert doc.format, (entity, doc.name)


def test_the_help_page_and_a_sample_file(tenants):
    connection.set_tenant(tenants.a)
    accountant = user_create(login="ksiegowa", password="BiUr42#ok", role="accountant")
    client = Client()
    login_verified_staff(client, HOST, accountant, "BiUr42#ok")
    page = client.get("/office/import/help/", HTTP_HOST=HOST).content.decode()
    for entity in ENTITIES:
        assert f'id="entity-{entity}"' in page
    sample = client.get("/office/import/sample/customers.csv", HTTP_HOST=HOST)
    assert sample["Content-Disposition"] == 'attachment; filename="customers.csv"'
    assert sample.content.decode("utf-8-sig").startswith("erp_id;symbol;kind;name")
    assert client.get("/office/import/sample/nonsense.csv", HTTP_HOST=HOST).status_code == 404
