"""Stored settings below the floors the policy types now declare (tenants.policies LIMITS): the
console used to accept a minimum password length of 4, a lockout after 1 failure or an idle
timeout of 1 minute. Such a value is raised to the floor, so that the tenant's next change of
any setting (which validates the whole configuration) is not refused for an old one."""

from django.db import migrations

FLOORS = {
    ("password_policy", "min_length"): 6,
    ("lockout", "threshold"): 3,
    ("session", "idle_timeout_minutes"): 5,
}


def raise_to_floors(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    for tenant in Tenant.objects.exclude(config={}).iterator():
        config = tenant.config
        changed = False
        for (group, name), floor in FLOORS.items():
            value = (config.get(group) or {}).get(name)
            if isinstance(value, int) and value < floor:
                config[group][name] = floor
                changed = True
        policy = config.get("password_policy") or {}
        if changed and isinstance(policy.get("max_length"), int):
            policy["max_length"] = max(policy["max_length"], policy.get("min_length", 0))
        if changed:
            tenant.config = config
            tenant.save(update_fields=["config"])


class Migration(migrations.Migration):
    dependencies = [("tenants", "0004_registry_generation")]

    operations = [migrations.RunPython(raise_to_floors, migrations.RunPython.noop)]
