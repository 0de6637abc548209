"""The throttling counters, taken over from identity with their table (identity_ratecounter),
which identity's migrations created: nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    # Runs after identity has created the table and let go of the model.
    dependencies = [("identity", "0014_ratecounter_to_core")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("scope", models.CharField(max_length=40)),
                        ("key", models.CharField(max_length=200)),
                        ("window_start", models.DateTimeField()),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "identity_ratecounter",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("scope", "key", "window_start"),
                                name="rate_counter_window_unique",
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
