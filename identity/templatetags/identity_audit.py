from django import template

from identity.audit_labels import detail_lines

register = template.Library()


@register.filter
def audit_details(details) -> list[tuple[str, str]]:
    return detail_lines(details)
