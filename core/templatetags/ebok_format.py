"""Polish conventions in templates: ``1 234,56 zł``."""

from decimal import Decimal

from django import template

register = template.Library()
NBSP = "\u00a0"


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "−" if amount < 0 else ""
    whole, _dot, cents = f"{abs(amount):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}zł"


@register.filter
def abs_value(value):
    return abs(value)
