from django.db import migrations


class Migration(migrations.Migration):
    """The tenant registry's generation (tenants.registry): a sequence every process can read,
    so tenant changes reach all of them with or without Redis."""

    dependencies = [
        ("tenants", "0003_schema_template"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS public.tenants_registry_generation",
            "DROP SEQUENCE IF EXISTS public.tenants_registry_generation",
        ),
    ]
