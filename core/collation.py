"""Lists of names in the order their readers expect: Polish sorts Ł after L and Ś after S, where
the database's own order (bytes) puts every Polish letter after Z. PostgreSQL's ICU collations
do it in the query, so a paged or limited list is cut in the right order too."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Collate
from django.utils import translation

# The ICU collation of each language the portals speak (PostgreSQL makes them at initdb).
ICU = {"pl": "pl-x-icu", "uk": "uk-x-icu", "en": "und-x-icu"}


def in_language_order(*fields: str, language: str | None = None) -> list:
    """Order expressions for ``fields`` (a leading "-" for descending) in ``language``'s
    alphabet (the active language when not given; Polish when it has none)."""
    language = (language or translation.get_language() or "pl").split("-")[0]
    collation = ICU.get(language, ICU["pl"])
    order = []
    for name in fields:
        expression = Collate(F(name.lstrip("-")), collation)
        order.append(expression.desc() if name.startswith("-") else expression.asc())
    return order
