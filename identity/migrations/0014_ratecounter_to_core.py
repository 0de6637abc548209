"""The throttling counters belong to the core (core.models.RateCounter) now: the model leaves
identity's state; its table stays as it is and core takes it over (core 0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("identity", "0013_pending_email")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RateCounter")], database_operations=[]
        )
    ]
