"""Amounts as the reader's language writes them: ``1 234,56 zł`` in Polish and Ukrainian,
``1,234.56 zł`` in English (the separators of ``ebok.formats``; the currency is the złoty's sign
in every language)."""

from decimal import Decimal

from django import template
from django.utils import formats

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
    thousands = formats.get_format("THOUSAND_SEPARATOR")
    decimal = formats.get_format("DECIMAL_SEPARATOR")
    return f"{sign}{thousands.join(groups)}{decimal}{cents}{NBSP}zł"


@register.filter
def abs_value(value):
    return abs(value)
