"""Import jobs of ERP files."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One import of an ERP file: progress, counts and per-row errors."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    entity = models.CharField(max_length=32)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row": n, "field": name|null, "code", "detail"}]
    payload = models.TextField(blank=True)  # the file, kept until the job has run
    # Runs started (a worker lost mid-run is resumed by the sweep, up to a limit), the last sign
    # of life of the run, and why it failed (shown to staff; no trace).
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entity} #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
