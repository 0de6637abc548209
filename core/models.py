from django.db import models


class RateCounter(models.Model):
    """Fixed-window request counters for throttling login, recovery, signup and checks
    (core.throttling). Kept in the database so throttling keeps working (and fails closed)
    without Redis; every schema has its own. The table keeps the name it was created with."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "identity_ratecounter"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="rate_counter_window_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%H:%M}"
