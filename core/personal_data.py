"""The registry of personal data (RODO/GDPR): what each app holds of a person, why, on what legal
basis, for how long, and what becomes of it when that person asks for it or for its erasure.

Each app declares its models in ``AppConfig.ready()``: a :class:`Holding` for a model whose rows
are a customer's or an account's own data (found from a person by one or more ORM paths), a
:class:`Mention` for a model that only names someone as the member of staff who did something.
The export of a person's data (art. 15 and 20), erasure (art. 17), the retention jobs and the
record of processing activities (art. 30) are built from these declarations, so an app that adds a
model adds one declaration and every one of them covers it; a test walks every model and fails
when one linked to a customer or an account is not declared.

The core names no app: the models are given by the apps, and the two kinds of person a row can
belong to (a customer record, an account) are labels the apps use.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, BinaryIO

from django.core.exceptions import FieldError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Basis(StrEnum):
    """Art. 6(1) GDPR: why a holding may be processed at all."""

    CONSENT = "consent"  # (a)
    CONTRACT = "contract"  # (b)
    LEGAL_OBLIGATION = "legal_obligation"  # (c)
    LEGITIMATE_INTEREST = "legitimate_interest"  # (f)


BASIS_LABELS = {
    Basis.CONSENT: _("consent (art. 6(1)(a) GDPR)"),
    Basis.CONTRACT: _("performance of the contract (art. 6(1)(b) GDPR)"),
    Basis.LEGAL_OBLIGATION: _("a legal obligation of the organisation (art. 6(1)(c) GDPR)"),
    Basis.LEGITIMATE_INTEREST: _("the organisation's legitimate interest (art. 6(1)(f) GDPR)"),
}


class Category(StrEnum):
    """Categories of personal data, as the record of processing names them."""

    IDENTIFICATION = (
        "identification"  # name, PESEL (its hash and masked form), NIP, customer symbol
    )
    CONTACT = "contact"  # e-mail, phone, correspondence address
    ACCOUNT = "account"  # login, password history, second factor, sessions and tokens
    ACTIVITY = "activity"  # login history, audit of changes
    CONSENTS = "consents"  # documents accepted, consents given and withdrawn
    PROPERTY = "property"  # premises and legal titles, contracts, service points
    FINANCIAL = "financial"  # charges, invoices, payments, balance, deposits
    CONSUMPTION = "consumption"  # meters and readings
    CORRESPONDENCE = "correspondence"  # cases, messages, attachments, letters
    NOTIFICATIONS = "notifications"  # channels chosen, messages sent


CATEGORY_LABELS = {
    Category.IDENTIFICATION: _("identification data (name, PESEL, NIP, customer number)"),
    Category.CONTACT: _("contact data (e-mail, phone, address for letters)"),
    Category.ACCOUNT: _("account data (login, security settings)"),
    Category.ACTIVITY: _("activity records (logins, changes)"),
    Category.CONSENTS: _("consents and accepted documents"),
    Category.PROPERTY: _("premises, legal titles and contracts"),
    Category.FINANCIAL: _("charges, invoices and payments"),
    Category.CONSUMPTION: _("meters and readings"),
    Category.CORRESPONDENCE: _("cases, messages and letters"),
    Category.NOTIFICATIONS: _("notification choices and notifications sent"),
}


class Erasure(StrEnum):
    """What an erasure request does to a holding's rows."""

    DELETE = "delete"  # the rows go
    ANONYMISE = "anonymise"  # the rows stay (others need them); the person's fields are blanked
    KEEP = "keep"  # a law requires them: kept with their basis until the retention runs out


@dataclass(frozen=True)
class Retention:
    """How long a holding is kept, and the rule that says so.

    The period runs from the holding's ``since`` (a date or time field of the row);
    ``while_needed`` data is kept as long as the account or the customer exists, and then for
    ``years`` or ``days`` more (none: it goes with them)."""

    code: str
    label: Any  # a lazy translation: "5 years after the end of the year"
    law: Any  # a lazy translation naming the provision
    years: int = 0  # after the end of the calendar year of ``since``
    days: int = 0  # after ``since``
    while_needed: bool = False

    def runs_out(self, moment: dt.date | dt.datetime) -> dt.date:
        """The first day the data is no longer kept when the period runs from ``moment`` (the
        row's ``since`` field, or for ``while_needed`` data the day the account or customer
        goes)."""
        day = timezone.localdate(moment) if isinstance(moment, dt.datetime) else moment
        if self.years:
            return dt.date(day.year + self.years + 1, 1, 1)
        return day + dt.timedelta(days=self.days)


# Rules shared by several apps (an app may declare its own).
ACCOUNTING = Retention(
    "accounting_5y",
    _("5 years after the end of the year they concern"),
    _("art. 74 sec. 2 of the Accounting Act; art. 86 of the Tax Ordinance"),
    years=5,
)
WHILE_CUSTOMER = Retention(
    "while_customer",
    _("as long as the customer's record or account exists"),
    _("art. 6(1)(b) GDPR: needed to serve the customer"),
    while_needed=True,
)
CLAIMS_6Y = Retention(
    "claims_6y",
    _("6 years after the end of the year (limitation of claims)"),
    _("art. 118 of the Civil Code"),
    years=6,
)
SECURITY_LOG_1Y = Retention(
    "security_log_1y",
    _("1 year"),
    _("art. 32 GDPR: security of processing"),
    days=366,
)
UNCONFIRMED_30D = Retention(
    "unconfirmed_30d",
    _("30 days if not confirmed"),
    _("art. 5(1)(e) GDPR: storage limitation"),
    days=30,
)
CONSENT_PROOF = Retention(
    "consent_proof",
    _("as long as the account exists, then 6 years (proof of what was accepted or chosen)"),
    _("art. 7(1) GDPR (proof of consent); art. 118 of the Civil Code"),
    years=6,
    while_needed=True,
)
SENT_MESSAGES_1Y = Retention(
    "sent_messages_1y",
    _("1 year after sending"),
    _("art. 5(1)(e) GDPR: storage limitation; proof of notices sent"),
    days=366,
)


@dataclass(frozen=True)
class Holding:
    """A model whose rows are a person's own data.

    ``customer`` and ``account`` are ORM paths from a row to the customer record and to the
    account (``"customer"``, ``"case__customer"``, ``"user"``): a row is the person's when any
    path leads to them. ``anonymise`` names the fields blanked when the rows must stay;
    ``secret`` the fields never exported (hashes, keys, sealed secrets)."""

    model: type[models.Model]
    categories: tuple[Category, ...]
    purpose: Any  # a lazy translation
    basis: Basis
    retention: Retention
    erasure: Erasure
    customer: tuple[str, ...] = ()
    account: tuple[str, ...] = ()
    since: str = ""  # the field the retention period runs from
    anonymise: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()
    recipients: tuple[Any, ...] = ()  # lazy translations: who else receives the data
    title: Any = None  # what the rows are, in people's words (a lazy translation): see entitle()
    # Rows found by more than a path (given the customer ids and the account id, a Q): readings
    # only while the customer held the flat, messages by the address they were sent to.
    where: Callable[[list[int], int | None], models.Q] | None = None
    # Which rows the retention rule applies to (none: all): registrations never confirmed.
    expires_only: dict[str, Any] = dataclasses.field(default_factory=dict)
    # A row as the person reads it in their copy (a storage key replaced by what it stands for).
    exported: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Whose data these are, where neither path says (rows found by ``where`` only): lazy
    # translations for the record of processing.
    subjects: tuple[Any, ...] = ()
    # False for the accounts the ERP sends (charges, invoices, payments): removing an old month
    # would change a customer's balance, which only the ERP, their system of record, may close;
    # the nightly job leaves them and the ERP's own retention decides.
    expires_here: bool = True

    def __post_init__(self) -> None:
        if not (self.customer or self.account or self.where):
            raise ValueError(f"{self.model._meta.label}: say how a row leads to its person")
        if not (self.retention.while_needed or self.since):
            raise ValueError(f"{self.model._meta.label}: say from which field the period runs")
        if self.erasure is Erasure.ANONYMISE and not self.anonymise:
            raise ValueError(f"{self.model._meta.label}: name the fields to anonymise")

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows_of(self, *, customer_ids: Iterable[int] = (), account_id: int | None = None):
        """The rows of this holding that belong to the given customers or account."""
        condition = models.Q(pk__in=[])
        customer_ids = list(customer_ids)
        if customer_ids:
            for path in self.customer:
                condition |= models.Q(**{f"{path}__in": customer_ids})
        if account_id is not None:
            for path in self.account:
                condition |= models.Q(**{path: account_id})
        if self.where is not None and (customer_ids or account_id is not None):
            condition |= self.where(customer_ids, account_id)
        return self.model._default_manager.filter(condition).distinct()


@dataclass(frozen=True)
class Mention:
    """A model that names an account only as the one who did something for the organisation (the
    member of staff who reviewed a reading, published an announcement): the staff member's data,
    processed under the employment relationship, not the customer's own. Listed in the record of
    processing; an erasure of a customer leaves these rows to the organisation."""

    model: type[models.Model]
    fields: tuple[str, ...]
    reason: Any = _("who did it for the organisation (accountability)")


@dataclass
class _Registry:
    holdings: dict[str, Holding] = field(default_factory=dict)
    mentions: dict[str, Mention] = field(default_factory=dict)
    # Fields of a model a Holding or Mention covers, by model label (the walk's check).
    covered: dict[str, set[str]] = field(default_factory=dict)


_registry = _Registry()


def declare(*items: Holding | Mention) -> None:
    """An app declares what it holds (in AppConfig.ready()); declaring a model twice is an
    error, as two rules for the same rows would contradict each other."""
    for item in items:
        label = item.model._meta.label
        if label in (_registry.holdings if isinstance(item, Holding) else _registry.mentions):
            raise ValueError(f"{label} is declared twice")
        if isinstance(item, Holding):
            _registry.holdings[label] = item
            paths = (*item.customer, *item.account)
        else:
            _registry.mentions[label] = item
            paths = item.fields
        _registry.covered.setdefault(label, set()).update(p.split("__")[0] for p in paths)


def entitle(titles: dict[type[models.Model], Any]) -> None:
    """Name declared holdings in people's words ("invoices", "readings of meters"), as the
    record of processing and the copy's README show them (a model's own name is a table's)."""
    for model, title in titles.items():
        label = model._meta.label
        _registry.holdings[label] = dataclasses.replace(_registry.holdings[label], title=title)


def holdings() -> list[Holding]:
    return list(_registry.holdings.values())


def mentions() -> list[Mention]:
    return list(_registry.mentions.values())


def holding_for(model: type[models.Model]) -> Holding | None:
    return _registry.holdings.get(model._meta.label)


# Plain integer columns that name a person without a foreign key (a row kept in another schema,
# or one that must outlive the person's row): links all the same.
ID_COLUMNS = {"customer_id", "user_id"}


def _direct_links(model, people: tuple) -> list[str]:
    links = []
    for f in model._meta.get_fields():
        if not f.concrete:
            continue
        if f.is_relation and f.related_model in people:
            links.append(f.name)
        elif not f.is_relation and f.name in ID_COLUMNS:
            links.append(f.name)
    return links


def _reaches(model, people: tuple, seen: set) -> bool:
    """Whether ``model``'s foreign keys lead, one after another, to a person (an invoice line
    through its invoice, an attachment through its message and case)."""
    if model in people:
        return True
    seen.add(model)
    return any(
        f.is_relation
        and f.concrete
        and f.related_model is not None
        and f.related_model not in seen
        and _reaches(f.related_model, people, seen)
        for f in model._meta.get_fields()
        if f.many_to_one or f.one_to_one
    )


def undeclared_links(
    people: Iterable[type[models.Model]], candidates: Iterable[type[models.Model]]
) -> list[str]:
    """What no declaration covers among ``candidates``: each ``model.field`` that names one of
    ``people`` (the customer and account models) directly, and each model that reaches one
    through its foreign keys, or is one of them, without a declaration."""
    people = tuple(people)
    missing = []
    for model in candidates:
        label = model._meta.label
        declared = label in _registry.holdings or label in _registry.mentions
        if model in people:
            if label not in _registry.holdings:
                missing.append(label)
            continue
        covered = _registry.covered.get(label, set())
        direct = _direct_links(model, people)
        missing += [f"{label}.{name}" for name in direct if name not in covered]
        if not direct and not declared and _reaches(model, people, set()):
            missing.append(label)
    return missing


def check_declarations() -> list[str]:
    """Every declaration's paths as queries the database would accept: the problems found (a
    path renamed in a model and forgotten here)."""
    problems = []
    for holding in holdings():
        try:
            manager = holding.model._default_manager
            for path in holding.customer:
                str(manager.filter(**{f"{path}__in": [0]}).query)
            for path in holding.account:
                str(manager.filter(**{path: 0}).query)
            if holding.since:
                str(holding.model._default_manager.values(holding.since).query)
            for name in (*holding.anonymise, *holding.secret):
                holding.model._meta.get_field(name)
        except (FieldError, LookupError, ValueError) as exc:
            problems.append(f"{holding.label}: {exc}")
    for mention in mentions():
        for name in mention.fields:
            try:
                mention.model._meta.get_field(name)
            except LookupError as exc:
                problems.append(f"{mention.model._meta.label}: {exc}")
    return problems


# --- the person's own copy (art. 15 and 20) -------------------------------------------------

# Files that go with a holding's rows (an invoice's PDF, a case's attachments): the app that owns
# the model registers a function that yields ``(file name, bytes)`` for the given rows.
FileSource = Callable[[models.QuerySet], Iterable[tuple[str, bytes]]]
_files: dict[str, FileSource] = {}
# Which customer records an account holds: registered by the app that links them.
_customers_of: list[Callable[[int], Iterable[int]]] = []


def register_files(model: type[models.Model], source: FileSource) -> None:
    _files[model._meta.label] = source


# Files in the storage that rows name (a case's attachments): deleted with the rows when their
# retention runs out, so nothing of the person stays behind in the media folder.
_stored: dict[str, Callable[[models.QuerySet], Iterable[str]]] = {}


def register_stored_files(
    model: type[models.Model], paths: Callable[[models.QuerySet], Iterable[str]]
) -> None:
    _stored[model._meta.label] = paths


def register_customers_of_account(resolver: Callable[[int], Iterable[int]]) -> None:
    if resolver not in _customers_of:
        _customers_of.append(resolver)


def customers_of_account(account_id: int) -> list[int]:
    return sorted({pk for resolver in _customers_of for pk in resolver(account_id)})


# The e-mail addresses and phone numbers a person is reached at (the account's, the customer
# records'): how messages sent before the account knew them are found.
_addresses_of: list[Callable[[list[int], int | None], Iterable[str]]] = []


def register_addresses(resolver: Callable[[list[int], int | None], Iterable[str]]) -> None:
    if resolver not in _addresses_of:
        _addresses_of.append(resolver)


def addresses_of(customer_ids: list[int], account_id: int | None) -> set[str]:
    return {
        address
        for resolver in _addresses_of
        for address in resolver(customer_ids, account_id)
        if address
    }


def _exported_fields(holding: Holding) -> list[str]:
    return [
        f.attname
        for f in holding.model._meta.concrete_fields
        if f.name not in holding.secret
        and f.attname not in holding.secret
        and not isinstance(f, models.BinaryField)  # given as files (register_files)
    ]


def _csv_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # a spreadsheet never runs a cell (a browser's name could be a formula)
    return "" if value is None else value


def export_archive(
    out: BinaryIO, *, account_id: int | None, customer_ids: Iterable[int], readme: str
) -> dict[str, int]:
    """Write a ZIP of everything the registry finds of the person to ``out``: per holding a
    JSON file and a CSV file of its rows (secret fields left out) and the files that go with
    them, and ``readme`` (what each file is, why it is kept and for how long). Returns the
    number of rows per holding written."""
    customer_ids = list(customer_ids)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for holding in sorted(holdings(), key=lambda h: h.label):
            fields = _exported_fields(holding)
            rows = holding.rows_of(customer_ids=customer_ids, account_id=account_id).order_by("pk")
            values = list(rows.values(*fields))
            if not values:
                continue
            if holding.exported is not None:
                values = [holding.exported(row) for row in values]
            name = export_name(holding)
            counts[holding.label] = len(values)
            archive.writestr(
                f"{name}.json",
                json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
            )
            text = io.StringIO()
            # The hook may add columns (a document's version beside its id): all of them, once.
            columns = list(dict.fromkeys(key for row in values for key in row))
            writer = csv.DictWriter(text, fieldnames=columns, delimiter=";", restval="")
            writer.writeheader()
            writer.writerows({k: _csv_value(v) for k, v in row.items()} for row in values)
            archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())  # Excel reads UTF-8
            source = _files.get(holding.label)
            if source is not None:
                for file_name, data in source(rows):
                    archive.writestr(f"{name}/{file_name}", data)
        archive.writestr("README.txt", readme)
    return counts


def export_name(holding: Holding) -> str:
    """The name of a holding's files in the archive: ``billing/invoice``."""
    return f"{holding.model._meta.app_label}/{holding.model._meta.model_name}"


# --- the record of processing activities (art. 30(1) GDPR) ----------------------------------

SUBJECT_LABELS = {
    "customer": _("customers (from the organisation's records)"),
    "account": _("holders of accounts in the portal"),
}


def processing_activities() -> list[dict[str, Any]]:
    """The organisation's processing, one entry per purpose, from the declarations: the
    records it covers, the subjects, categories of data, legal bases, retention and recipients
    (strings in the active language). Stable order, so two exports compare line by line."""
    grouped: dict[str, dict[str, Any]] = {}
    for holding in sorted(holdings(), key=lambda h: (str(h.purpose), h.label)):
        entry = grouped.setdefault(
            str(holding.purpose),
            {
                "purpose": str(holding.purpose),
                "records": [],
                "subjects": [],
                "categories": [],
                "bases": [],
                "retention": [],
                "recipients": [],
            },
        )

        def add(key: str, value: Any, entry: dict[str, Any] = entry) -> None:
            if str(value) not in entry[key]:
                entry[key].append(str(value))

        add("records", holding.title or holding.model._meta.verbose_name)
        if holding.customer:
            add("subjects", SUBJECT_LABELS["customer"])
        if holding.account:
            add("subjects", SUBJECT_LABELS["account"])
        for subject in holding.subjects:
            add("subjects", subject)
        for category in holding.categories:
            add("categories", CATEGORY_LABELS[category])
        add("bases", BASIS_LABELS[holding.basis])
        add("retention", f"{holding.retention.label} ({holding.retention.law})")
        for recipient in holding.recipients:
            add("recipients", recipient)
    return list(grouped.values())


# --- erasure (art. 17 GDPR) ----------------------------------------------------------------

# An app whose rows need more than blanked fields to be anonymised (a unique login, a password)
# registers how: ``anonymiser(rows)`` for the person's rows of that model.
_anonymisers: dict[str, Callable[[models.QuerySet], int]] = {}


def register_anonymiser(model: type[models.Model], anonymiser: Callable[[models.QuerySet], int]):
    _anonymisers[model._meta.label] = anonymiser


def _blank(field: models.Field) -> Any:
    if field.null:
        return None
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.BooleanField):
        return False
    return ""


def _kept_until(holding: Holding, rows: models.QuerySet, today: dt.date) -> str | None:
    """The day the nightly retention job deletes the kept rows (from the latest ``since`` among
    them), or None where it does not: data kept as long as the organisation's records of the
    customer, and the accounts the ERP keeps (its own retention decides)."""
    rule = holding.retention
    if not holding.expires_here:
        return None
    if rule.while_needed:  # the person ends today: the years after it start now
        return rule.runs_out(today).isoformat() if (rule.years or rule.days) else None
    if not holding.since:
        return None
    latest = rows.aggregate(latest=models.Max(holding.since))["latest"]
    return rule.runs_out(latest).isoformat() if latest else None


def erase(
    *, account_id: int | None, customer_ids: Iterable[int], today: dt.date
) -> dict[str, dict[str, Any]]:
    """Erase what the registry finds of the person: rows of ``DELETE`` holdings go, the named
    fields of ``ANONYMISE`` holdings are blanked (or the app's anonymiser runs), ``KEEP``
    holdings stay with their basis and the day they go. Run inside the caller's transaction;
    returns, per holding with rows, what was done (to be recorded with the request)."""
    customer_ids = list(customer_ids)
    done: dict[str, dict[str, Any]] = {}
    # Every holding's rows are found before anything changes (an address blanked in one is how
    # another finds its rows); then keep and anonymise, and delete last (a deletion could
    # cascade away rows another step reads).
    found = {
        holding.label: list(
            holding.rows_of(customer_ids=customer_ids, account_id=account_id).values_list(
                "pk", flat=True
            )
        )
        for holding in holdings()
    }
    order = {Erasure.KEEP: 0, Erasure.ANONYMISE: 1, Erasure.DELETE: 2}
    for holding in sorted(holdings(), key=lambda h: (order[h.erasure], h.label)):
        ids = found[holding.label]
        if not ids:
            continue
        rows = holding.model._default_manager.filter(pk__in=ids)
        entry: dict[str, Any] = {
            "action": str(holding.erasure),
            "rows": len(ids),
            "what": str(holding.title or holding.model._meta.verbose_name),
        }
        if holding.erasure is Erasure.DELETE:
            rows.delete()
        elif holding.erasure is Erasure.ANONYMISE:
            anonymiser = _anonymisers.get(holding.label)
            if anonymiser is not None:
                anonymiser(rows)
            else:
                fields = [holding.model._meta.get_field(name) for name in holding.anonymise]
                rows.update(**{f.name: _blank(f) for f in fields if isinstance(f, models.Field)})
            entry["fields"] = list(holding.anonymise)
        else:
            entry["basis"] = str(holding.retention.law)
            entry["until"] = _kept_until(holding, rows, today)
        done[holding.label] = entry
    return done


# --- retention (art. 5(1)(e) GDPR) ---------------------------------------------------------


# Who is no longer a customer, and since when: the apps that know register ``provider(before)``,
# giving the (account ids, customer ids) that ended before that day (identity: an erasure
# carried out; billing: a customer record erased). Data kept "while needed, then N years" runs
# its N years from then.
_ended: list[Callable[[dt.date], tuple[Iterable[int], Iterable[int]]]] = []


def register_ended(provider: Callable[[dt.date], tuple[Iterable[int], Iterable[int]]]) -> None:
    if provider not in _ended:
        _ended.append(provider)


def _first_kept(rule: Retention, today: dt.date) -> dt.date:
    """The earliest start of a period that has not run out by ``today``."""
    if rule.years:
        return dt.date(today.year - rule.years, 1, 1)  # periods of later years still run
    return today - dt.timedelta(days=rule.days) + dt.timedelta(days=1)


def _expired(holding: Holding, today: dt.date) -> models.QuerySet | None:
    """The rows of ``holding`` whose period has run out by ``today`` (None: kept as long as the
    person is a customer, which erasure ends, not the calendar)."""
    rule = holding.retention
    if not holding.expires_here:
        return None
    if rule.while_needed:
        return _ended_long_ago(holding, today)
    if not holding.since:
        return None
    first_kept = _first_kept(rule, today)
    parts = holding.since.split("__")
    target = holding.model._meta.get_field(parts[0])
    for part in parts[1:]:  # a date of a related row: an invoice line's invoice's issue date
        related = target.related_model
        if related is None or isinstance(related, str):
            raise ValueError(f"{holding.label}: {holding.since} is not a path through relations")
        target = related._meta.get_field(part)
    bound: Any = first_kept
    if isinstance(target, models.DateTimeField):
        bound = dt.datetime.combine(first_kept, dt.time.min, tzinfo=timezone.get_current_timezone())
    return holding.model._default_manager.filter(
        **{f"{holding.since}__lt": bound}, **holding.expires_only
    )


def _ended_long_ago(holding: Holding, today: dt.date) -> models.QuerySet | None:
    """Rows kept "while needed, then N years" of people who ceased to be customers (their
    account or record erased) before the N years that still run began."""
    rule = holding.retention
    if not (rule.years or rule.days) or not _ended:
        return None
    bound = _first_kept(rule, today)
    accounts: set[int] = set()
    customers: set[int] = set()
    for provider in _ended:
        ended_accounts, ended_customers = provider(bound)
        accounts.update(ended_accounts)
        customers.update(ended_customers)
    condition = models.Q(pk__in=[])
    if accounts:
        for path in holding.account:
            condition |= models.Q(**{f"{path}__in": sorted(accounts)})
    if customers:
        for path in holding.customer:
            condition |= models.Q(**{f"{path}__in": sorted(customers)})
    return holding.model._default_manager.filter(condition, **holding.expires_only)


def apply_retention(today: dt.date) -> dict[str, dict[str, Any]]:
    """Delete, in the current schema, every row whose retention period has run out: per holding,
    how many went under which rule, and how many could not go because records kept longer still
    name them (they go with those). Rows that name each other go in passes until a pass deletes
    nothing, so a second run the same day deletes nothing more."""
    report: dict[str, dict[str, Any]] = {}
    while True:
        deleted_in_pass = 0
        # Holdings whose rows name stored files first: their rows (and files) go before a row
        # they belong to cascades them away unseen.
        for holding in sorted(holdings(), key=lambda h: (h.label not in _stored, h.label)):
            rows = _expired(holding, today)
            if rows is None:
                continue
            entry = report.setdefault(
                holding.label, {"rule": holding.retention.code, "deleted": 0, "blocked": 0}
            )
            deleted, blocked = _delete_each(
                holding.model, list(rows.values_list("pk", flat=True)), _stored.get(holding.label)
            )
            entry["deleted"] += deleted
            entry["blocked"] = blocked
            deleted_in_pass += deleted
        if not deleted_in_pass:
            return report


def _delete_stored(paths: list[str]) -> None:
    for path in paths:
        default_storage.delete(path)


def _delete_each(
    model: type[models.Model],
    ids: list[int],
    stored: Callable[[models.QuerySet], Iterable[str]] | None = None,
) -> tuple[int, int]:
    """Delete the rows, a thousand at a time, one by one where a thousand cannot go together,
    and the files they name once their deletion is committed: (deleted, left because others
    name them)."""
    deleted = blocked = 0
    manager = model._default_manager

    def gone(rows: models.QuerySet) -> None:
        paths = [p for p in stored(rows) if p] if stored is not None else []
        rows.delete()
        if paths:
            transaction.on_commit(lambda: _delete_stored(paths))

    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        try:
            with transaction.atomic():
                gone(manager.filter(pk__in=chunk))
            deleted += len(chunk)
        except (ProtectedError, RestrictedError, IntegrityError):
            for pk in chunk:
                try:
                    with transaction.atomic():
                        gone(manager.filter(pk=pk))
                    deleted += 1
                except (ProtectedError, RestrictedError, IntegrityError):
                    blocked += 1
    return deleted, blocked
