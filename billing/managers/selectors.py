"""Reads for the office's review of managers' applications."""

from __future__ import annotations

import re

from django.db.models import CharField, F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from billing import selectors
from billing.models import ManagerApplication, PremisesGrant
from identity.models import User


def pending_applications() -> QuerySet:
    return ManagerApplication.objects.filter(status=ManagerApplication.Status.PENDING).order_by(
        "created_at"
    )


def current_grants() -> QuerySet:
    """Grants not revoked and not ended, those that start later included: what the office may
    still revoke (the managers' scope uses only those in force, billing.selectors.active_grants)."""
    today = timezone.localdate()
    return (
        PremisesGrant.objects.filter(revoked_at__isnull=True)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("company", "premises")
        .order_by("company__name", "premises__street", "premises__building_no", "premises__flat_no")
    )


def premises_in_natural_order(rows: QuerySet) -> QuerySet:
    return rows.order_by("street", *_natural("building_no"), *_natural("flat_no"), "pk")


SEARCH_LIMIT = 100


def _natural(field: str):
    """Order by the number a house or flat number starts with, then by the text ("2" < "10" <
    "10a"), as people read addresses."""
    # At most 9 digits: the number always fits an integer, whatever the ERP sent.
    number = Func(F(field), Value(r"^\d{1,9}"), function="substring", output_field=CharField())
    return (Cast(number, IntegerField()).asc(nulls_last=True), F(field).asc())


def _address_words(query: str) -> list[tuple[str, str]]:
    """The words of an address search as (kind, text): "ul. Modrzewiowa 1/7" is the street
    "Modrzewiowa", building "1" and flat "7"."""
    out: list[tuple[str, str]] = []
    for word in re.split(r"[\s,]+", query):
        word = word.strip(".")
        if not word or word.casefold() in {"ul", "al", "os", "pl", "m"}:
            continue
        if "/" in word:
            building, _slash, flat = word.partition("/")
            out += [("building", building)] if building else []
            out += [("flat", flat)] if flat else []
        else:
            out.append(("word", word))
    return out[:6]


def premises_search(actor: User, query: str) -> tuple[list, bool]:
    """Premises whose address matches every word of ``query``, in natural order; and whether
    more matched than are shown (the page says so instead of cutting the list silently)."""
    rows = selectors.premises_list(actor=actor)
    words = _address_words(query.replace("\x00", ""))  # PostgreSQL refuses NUL
    if not words:
        return [], False
    for kind, word in words:
        if kind == "building":
            rows = rows.filter(building_no__iexact=word)
        elif kind == "flat":
            rows = rows.filter(flat_no__iexact=word)
        else:
            rows = rows.filter(
                Q(street__icontains=word)
                | Q(building_no__iexact=word)
                | Q(flat_no__iexact=word)
                | Q(city__icontains=word)
            )
    found = list(premises_in_natural_order(rows)[: SEARCH_LIMIT + 1])
    return found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT
