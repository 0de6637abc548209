"""Words the office reads where the customer's would not fit."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from correspondence.models import CaseStatus


def staff_status_label(status: CaseStatus) -> str:
    """A status as the office reads it ("waiting for you" is the customer's word)."""
    if status == CaseStatus.WAITING:
        return str(pgettext_lazy("case status, office", "Waiting for the customer"))
    return str(status.label)
