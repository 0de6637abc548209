"""The customer data a change request may name, with the words people read for each."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

CHANGE_LABELS = {
    "email": gettext_lazy("E-mail address"),
    "phone": gettext_lazy("Phone number"),
    "refund_account": gettext_lazy("Account for refunds"),
    "street": gettext_lazy("Correspondence address: street"),
    "building_no": gettext_lazy("Building number"),
    "flat_no": gettext_lazy("Flat number"),
    "postcode": gettext_lazy("Postcode"),
    "city": gettext_lazy("City"),
}


def labelled(change: dict[str, str]) -> list[tuple[str, str]]:
    """A change request's fields as (label, new value), in the form's order."""
    return [(str(CHANGE_LABELS[k]), change[k]) for k in CHANGE_LABELS if k in change]
