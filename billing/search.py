"""The office's search for customers: by name (diacritics and one typo forgiven), symbol, address
with flat, phone, e-mail, and by the numbers other records carry (invoice, contract, meter).

Each customer has a search document (``Customer.search``, a ``tsvector`` with a GIN index) built
here from its record, the premises it holds a title to and its account's contact data. Names are
folded ("Żółw" is stored as "zolw") and, for every name word of four letters or more, the words
one letter shorter are stored too (marked ``~``), so a search word one edit away from a name
(a letter missing, added, changed or two swapped) meets it in the index: the symmetric-deletion
way of finding near words, in core PostgreSQL, without extensions.

Numbers that point at other records (an invoice, a contract, a meter) are looked up where they
live, by the finders apps register (``register_finder``); metering adds the meters'."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from billing.models import Contract, Customer, Invoice, LegalTitle

# Lexeme weights: A name and symbol, B numbers and the street with the house, C the rest of
# the address, D the near forms of the name words.
_STREET_WORDS = {"ul", "al", "os", "pl", "m", "lok", "nr", "ulica", "aleja", "osiedle"}
_SEPARATORS = re.compile(r"[\s,;()\"']+")
_NEAR_FROM = 4  # name words shorter than this are matched as typed (or as a prefix) only
_NEAR_UP_TO = 30  # nor are longer ones (no name is; a query's near forms stay few)
MAX_QUERY = 100
_FLAT = re.compile(r"\b(\d+[a-z]?)\s*(?:/|\bm\.?|\blok\.?)\s*(\d+[a-z]?)\b")
PHONE_DIGITS = 9


def fold(text: str) -> str:
    """Lower case without diacritics: "Żółw-Łęcka" → "zolw-lecka"."""
    text = text.casefold().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


MAX_WORD = 40  # longer "words" are cut (a search word, or a stored one)


def words(text: str) -> list[str]:
    """The folded words of ``text``, street prefixes ("ul.", "m.") left out; ``~`` (the mark of
    the stored near forms) is never part of a word."""
    found = []
    for raw in _SEPARATORS.split(fold(text).replace("~", " ")):
        word = raw.strip(".-:")[:MAX_WORD]
        if word and word not in _STREET_WORDS:
            found.append(word)
    return found


def near_forms(word: str) -> list[str]:
    """``word`` with one letter left out, each place (the symmetric-deletion neighbours)."""
    return sorted({word[:i] + word[i + 1 :] for i in range(len(word))})


def phone_digits(text: str) -> str:
    """The last nine digits of a phone number as typed (+48 600-100-200 → 600100200)."""
    digits = re.sub(r"\D", "", text)
    return digits[-PHONE_DIGITS:] if len(digits) >= 7 else ""


@dataclass
class Document:
    """The lexemes of one customer by weight."""

    a: set[str] = field(default_factory=set)
    b: set[str] = field(default_factory=set)
    c: set[str] = field(default_factory=set)
    d: set[str] = field(default_factory=set)

    def name(self, text: str) -> None:
        for word in words(text):
            parts = [word, *word.split("-")] if "-" in word else [word]
            for part in parts:
                if not part:
                    continue
                self.a.add(part)
                if _NEAR_FROM <= len(part) <= _NEAR_UP_TO and part.isalpha():
                    self.d.update("~" + near for near in near_forms(part))
                    self.d.add("~" + part)

    def address(self, street: str, building: str, flat: str, postcode: str, city: str) -> None:
        self.b.update(words(street))
        building, flat = fold(building).strip(), fold(flat).strip()
        if building:
            self.b.add(building)
            if flat:
                self.b.add(f"{building}/{flat}")
        if flat:
            self.c.add(flat)
        self.c.update(w for w in (fold(postcode).strip(), *words(city)) if w)

    def key(self, value: str) -> None:
        value = fold(value).strip()
        if value:
            self.b.add(value)

    def contact(self, email: str, phone: str) -> None:
        self.key(email)
        if digits := phone_digits(phone):
            self.b.add(digits)


@dataclass(frozen=True)
class Found:
    """A customer a finder names, and why (shown under the result)."""

    customer_id: int
    reason: str


Finder = Callable[[str], list[Found]]
_FINDERS: list[Finder] = []


def register_finder(finder: Finder) -> None:
    """An app adds a lookup by a number its records carry (``finder(query) -> [Found]``)."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def finders() -> list[Finder]:
    return list(_FINDERS)


def spellings(query: str) -> list[str]:
    """A number as typed and in capitals (numbers are looked up by their unique index)."""
    query = query.strip()
    return list(dict.fromkeys([query, query.upper()]))


def invoices_found(query: str) -> list[Found]:
    return [
        Found(customer_id, _("Invoice %(number)s") % {"number": number})
        for customer_id, number in Invoice.objects.filter(number__in=spellings(query)).values_list(
            "customer_id", "number"
        )
    ]


def contracts_found(query: str) -> list[Found]:
    return [
        Found(customer_id, _("Contract %(number)s") % {"number": number})
        for customer_id, number in Contract.objects.filter(number__in=spellings(query)).values_list(
            "customer_id", "number"
        )
    ]


def customers_of_premises(premises_ids: Iterable[int]) -> dict[int, list[int]]:
    """Premises → the customers holding a title to them (the latest title first)."""
    holders: dict[int, list[int]] = {}
    for premises_id, customer_id in (
        LegalTitle.objects.filter(premises_id__in=list(premises_ids))
        .order_by("premises_id", "-valid_from")
        .values_list("premises_id", "customer_id")
    ):
        holders.setdefault(premises_id, []).append(customer_id)
    return holders


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def query_terms(query: str, *, near: bool = True) -> list[list[str]]:
    """For each word typed, the tsquery alternatives that match it (all words must match);
    ``near`` False: only as typed or as a word's beginning."""
    query = fold(query.replace("\x00", "")).strip()[:MAX_QUERY]
    # "Modrzewiowa 1 m. 7", "1 lok. 7", "1 / 7": the house and the flat, as stored ("1/7").
    query = _FLAT.sub(r"\1/\2", query)
    if re.fullmatch(r"[\d\s+()./-]+", query) and (digits := phone_digits(query)):
        if " " in query.strip() or len(re.sub(r"\D", "", query)) >= 9:
            return [[_quoted(digits)]]
    terms = []
    for word in words(query)[:8]:
        alternatives = [_quoted(word)]
        if not (word.isdigit() and len(word) < 6) and "/" not in word:
            alternatives.append(_quoted(word) + ":*")
        if near and _NEAR_FROM <= len(word) <= _NEAR_UP_TO and word.isalpha():
            alternatives.append(_quoted("~" + word))
            for form in near_forms(word):
                alternatives += [_quoted(form), _quoted("~" + form)]
        terms.append(alternatives)
    return terms


def tsquery(query: str, *, near: bool = True) -> str:
    return " & ".join(
        "(" + " | ".join(dict.fromkeys(alt)) + ")" for alt in query_terms(query, near=near) if alt
    )


def documents_refresh(customer_ids: Iterable[int]) -> int:
    """Build again the search documents of these customers (after an import or a change of
    their data); how many were written."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    docs: dict[int, Document] = {}
    rows = Customer.objects.filter(pk__in=ids).values_list(
        "pk",
        "name",
        "symbol",
        "erp_id",
        "nip",
        "membership_number",
        "street",
        "building_no",
        "flat_no",
        "postcode",
        "city",
        "email",
        "phone",
        "user__first_name",
        "user__last_name",
        "user__email",
        "user__phone",
    )
    for row in rows:
        (pk, name, symbol, erp_id, nip, membership, street, bno, flat, pc, city) = row[:11]
        email, phone, first, last, user_email, user_phone = row[11:]
        doc = docs[pk] = Document()
        doc.name(name)
        if first or last:
            doc.name(f"{first or ''} {last or ''}")
        doc.a.add(fold(symbol))
        for value in (erp_id, nip, membership):
            doc.key(value)
        doc.address(street, bno, flat, pc, city)
        doc.contact(email, phone)
        doc.contact(user_email or "", user_phone or "")
    titles = LegalTitle.objects.filter(customer_id__in=ids).values_list(
        "customer_id",
        "premises__street",
        "premises__building_no",
        "premises__flat_no",
        "premises__postcode",
        "premises__city",
    )
    for customer_id, *address in titles:
        if customer_id in docs:
            docs[customer_id].address(*address)
    return _write(docs)


def _write(docs: dict[int, Document]) -> int:
    """One UPDATE for all of them: the four lexeme lists of each customer travel as JSON."""
    payload = json.dumps(
        [[pk, sorted(d.a), sorted(d.b), sorted(d.c), sorted(d.d)] for pk, d in docs.items()]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE billing_customer AS c SET search =
                setweight(array_to_tsvector(ARRAY(SELECT jsonb_array_elements_text(j->1))), 'A')
                || setweight(array_to_tsvector(ARRAY(SELECT jsonb_array_elements_text(j->2))), 'B')
                || setweight(array_to_tsvector(ARRAY(SELECT jsonb_array_elements_text(j->3))), 'C')
                || setweight(array_to_tsvector(ARRAY(SELECT jsonb_array_elements_text(j->4))), 'D')
            FROM jsonb_array_elements(%s::jsonb) AS j
            WHERE c.id = (j->>0)::bigint
            """,
            [payload],
        )
        return cursor.rowcount


@dataclass(frozen=True)
class Hit:
    customer_id: int
    rank: float
    reasons: tuple[str, ...] = ()


class Results(list):
    """The hits, best first; ``many``: more customers match than are weighed (a common
    surname alone), so the clerk is asked to add a first name, an address or a number."""

    many: bool = False
    capped: bool = False  # as many as a page shows: there may be more


# Customers weighed per tier: ranking reads each one's document, so a surname shared by
# thousands is cut to this many (by name) before it is ranked.
WEIGHED = 300


def search(query: str, *, limit: int = 20) -> Results:
    """Customers matching ``query``, best first: a number another record carries (an invoice, a
    contract, a meter) first; then the words as typed (or a word's beginning), by the weight of
    what they met (name before address); then, if room is left, near words (a letter missing,
    added, changed or swapped)."""
    query = query.replace("\x00", "").strip()[:MAX_QUERY]
    results = Results()
    if len(query) < 2:
        return results
    hits: dict[int, Hit] = {}
    for finder in _FINDERS:
        for found in finder(query):
            old = hits.get(found.customer_id)
            reasons = (old.reasons if old else ()) + (found.reason,)
            hits[found.customer_id] = Hit(found.customer_id, 10.0, reasons)
    for tier, near in ((1.0, False), (0.0, True)):
        text = tsquery(query, near=near)
        room = limit - len(hits)
        if not text or room <= 0:
            break
        try:
            rows = _ranked(text, list(hits), room)
        except DatabaseError:  # a query PostgreSQL will not take (too long): nothing found
            break
        for pk, rank, weighed in rows:
            hits[pk] = Hit(pk, tier + float(rank))
            results.many = results.many or weighed > WEIGHED
    results.extend(sorted(hits.values(), key=lambda h: -h.rank)[:limit])
    results.capped = len(results) >= limit
    return results


def _ranked(text: str, seen: list[int], room: int) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
                SELECT id, ts_rank(search, q) AS rank, weighed
                FROM (SELECT id, name, search, q, count(*) OVER () AS weighed
                      FROM billing_customer, CAST(%s AS tsquery) AS q
                      WHERE search @@ q AND NOT id = ANY(%s)
                      ORDER BY name, id LIMIT %s) AS candidates
                ORDER BY rank DESC, name, id
                LIMIT %s
                """,
            [text, seen, WEIGHED, room],
        )
        return cursor.fetchall()


_ACCOUNT_FIELDS = frozenset({"first_name", "last_name", "email", "phone"})


def account_saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """A receiver of the user model's ``post_save``: an account's names, e-mail and phone are in
    its customers' documents (a tenant's accounts only: the platform's operators have none)."""
    if created or (update_fields is not None and not _ACCOUNT_FIELDS & set(update_fields)):
        return
    if getattr(connection, "schema_name", "public") == get_public_schema_name():
        return
    ids = list(Customer.objects.filter(user_id=instance.pk).values_list("pk", flat=True))
    if ids:
        documents_refresh(ids)
