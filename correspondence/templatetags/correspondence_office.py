"""``{{ case.status|staff_status }}``: a case's status in the office's words."""

from django import template

from correspondence.labels import staff_status_label
from correspondence.models import CaseStatus

register = template.Library()


@register.filter
def staff_status(value: str) -> str:
    return staff_status_label(CaseStatus(value)) if value in CaseStatus.values else value
