"""Stored settings below the policy types' floors are raised by migration 0005."""

import importlib

import pytest
from django.apps import apps

from tenants.models import Tenant
from tenants.policies import config_from_json

pytestmark = pytest.mark.django_db


def test_values_below_the_floors_are_raised_and_the_configuration_validates(tenants):
    migration = importlib.import_module("tenants.migrations.0005_settings_within_limits")
    config = dict(tenants.b.config)
    config["password_policy"] = {**config["password_policy"], "min_length": 4, "max_length": 5}
    config["lockout"] = {**config["lockout"], "threshold": 1}
    config["session"] = {**config["session"], "idle_timeout_minutes": 2}
    Tenant.objects.filter(pk=tenants.b.pk).update(config=config)
    assert config_from_json(config).problems()  # refused as it stands
    migration.raise_to_floors(apps, None)
    stored = Tenant.objects.get(pk=tenants.b.pk).config
    assert stored["password_policy"]["min_length"] == 6
    assert stored["password_policy"]["max_length"] == 6
    assert stored["lockout"]["threshold"] == 3
    assert stored["session"]["idle_timeout_minutes"] == 5
    assert config_from_json(stored).problems() == {}
