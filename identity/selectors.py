"""Reads of identity data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.access import PORTAL_ROLES
from identity import pesel
from identity.models import (
    AuthEvent,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    Document,
    DocumentAcceptance,
    User,
)
from tenants.policies import LoginIdentifier, TenantConfig


def tenant_config() -> TenantConfig | None:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or not getattr(tenant, "has_configuration", False):
        return None
    return tenant.configuration


def current_config() -> TenantConfig:
    """The tenant's configuration where there must be one (a tenant's request or task); outside
    any tenant that is a programming error, not a user's."""
    config = tenant_config()
    if config is None:
        raise RuntimeError("no tenant is active on this connection")
    return config


def normalise_login(login: str) -> str:
    return " ".join(login.split()).casefold()


def users_for_login(login: str) -> list[User]:
    """The active accounts a typed login may name under this tenant's login identifiers (several
    only when an e-mail address is shared by more than one account)."""
    login = login.strip()
    if not login:
        return []
    config = tenant_config()
    identifiers = set(config.login_identifiers) if config else {LoginIdentifier.LOGIN}
    query = Q(username__iexact=login)
    alias = pesel.login_alias(login)
    if alias:
        query |= Q(username=alias)
    if LoginIdentifier.CUSTOMER_SYMBOL in identifiers:
        query |= Q(customer_symbol__iexact=login)
    if LoginIdentifier.EMAIL in identifiers and "@" in login:
        query |= Q(email__iexact=login)
    return list(User.objects.filter(query, is_active=True).order_by("pk")[:10])


def current_document(kind) -> Document | None:
    """The newest published version of ``kind``."""
    return (
        Document.objects.filter(kind=str(kind), published_at__isnull=False)
        .order_by("-version")
        .first()
    )


def current_documents(kinds) -> list[Document]:
    """The newest published version of each of ``kinds``."""
    return [doc for doc in map(current_document, kinds) if doc is not None]


# Consents (identity.models.consents).

# The document holding each switchable consent's wording: the purpose is offered where the
# organisation has published it.
CONSENT_TEXTS = {
    ConsentPurpose.MARKETING: Document.Kind.MARKETING_CONSENT,
    ConsentPurpose.E_INVOICE: Document.Kind.E_INVOICE_CONSENT,
}
# Switched on and off on the consents page (the e-invoice has its own page, per customer).
SWITCHABLE = (ConsentPurpose.MARKETING,)


def consent_text(purpose: str) -> Document | None:
    kind = CONSENT_TEXTS.get(purpose)  # type: ignore[call-overload]
    return current_document(kind) if kind else None


def consents_offered() -> list[str]:
    """The purposes a person may switch on and off here (their texts published)."""
    kinds = [str(CONSENT_TEXTS[p]) for p in SWITCHABLE]
    published = set(
        Document.objects.filter(kind__in=kinds, published_at__isnull=False).values_list(
            "kind", flat=True
        )
    )
    return [str(p) for p in SWITCHABLE if str(CONSENT_TEXTS[p]) in published]


def consent_current(user: User, purpose: str, subject: str = "") -> ConsentRecord | None:
    """The newest grant or withdrawal of ``purpose`` by ``user`` (None: never asked)."""
    return (
        ConsentRecord.objects.filter(user=user, purpose=purpose, subject=subject)
        .select_related("text")
        .order_by("-created_at", "-id")
        .first()
    )


def consenting_user_ids(purpose: str, user_ids) -> set[int]:
    """Those of ``user_ids`` whose newest record of ``purpose`` is a grant (one query)."""
    newest = (
        ConsentRecord.objects.filter(purpose=purpose, subject="", user_id__in=list(user_ids))
        .order_by("user_id", "-created_at", "-id")
        .distinct("user_id")
        .values_list("user_id", "granted")
    )
    return {user_id for user_id, granted in newest if granted}


@dataclass(frozen=True)
class ConsentEntry:
    """A line of a person's consent history: what, which version, given or withdrawn, when,
    by which channel, and who recorded it when it was not the person."""

    at: datetime
    title: str
    version: int | None
    granted: bool
    channel: str
    privacy_notice: int | None = None
    recorded_by: str = ""
    detail: str = ""
    document: bool = False  # a document accepted (regulations, notices), not a consent

    @property
    def channel_label(self) -> str:
        """The channel in the reader's language (``channel`` is its code)."""
        return str(dict(ConsentChannel.choices).get(self.channel, self.channel))


def consent_history(user: User) -> list[ConsentEntry]:
    """Every consent and acceptance of ``user``, newest first: the consents and the documents
    accepted."""
    entries = [
        ConsentEntry(
            at=r.created_at,
            title=str(ConsentPurpose(r.purpose).label),
            detail=r.subject,
            version=r.text_version,
            granted=r.granted,
            channel=r.channel,
            privacy_notice=r.privacy_notice.version if r.privacy_notice else None,
            recorded_by=r.actor.get_username() if r.actor else "",
        )
        for r in ConsentRecord.objects.filter(user=user).select_related(
            "text", "privacy_notice", "actor"
        )
    ]
    entries += [
        ConsentEntry(
            at=a.accepted_at,
            title=a.document.shown_title,
            version=a.document.version,
            granted=True,
            channel=a.channel,
            document=True,
        )
        for a in DocumentAcceptance.objects.filter(user=user).select_related("document")
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def documents_to_accept(user: User) -> list[Document]:
    """Current versions of the tenant's required documents that ``user`` has not accepted.
    They are the customers' (and managers') terms of the portal: staff work under their
    employment, not under the portal's regulations, and are never asked."""
    config = tenant_config()
    if config is None or user.is_tenant_staff:
        return []
    docs = current_documents(config.registration.required_documents)
    accepted = set(
        DocumentAcceptance.objects.filter(user=user, document__in=docs).values_list(
            "document_id", flat=True
        )
    )
    return [doc for doc in docs if doc.pk not in accepted]


def auth_events(*, limit: int = 200, user: User | None = None) -> list[AuthEvent]:
    rows = AuthEvent.objects.select_related("user")
    if user is not None:
        rows = rows.filter(user=user)
    return list(rows[:limit])


def auth_events_filtered(
    *, kind: str = "", who: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AuthEvent]:
    """The audit log, newest first: of one kind, of an account or by an employee (a login, or
    part of it, as the account's login or as the one who acted), between two days (inclusive,
    in the tenant's time zone)."""
    rows = AuthEvent.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    who = who.strip()
    if who:
        rows = rows.filter(
            Q(login__icontains=who)
            | Q(details__actor__icontains=who)
            | Q(details__invited_by__icontains=who)
            | Q(details__decided_by__icontains=who)
        )
    if since:
        rows = rows.filter(created_at__gte=_day_start(since))
    if until and until < date.max:
        rows = rows.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    return rows.order_by("-created_at", "-id")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def accounts_search(query: str, *, limit: int = 50) -> list[User]:
    """Customers' and managers' accounts whose login, customer symbol, e-mail or name contains
    ``query`` (blocked ones too); nothing for an empty query."""
    query = " ".join(query.replace("\x00", "").split())[:100]
    if len(query) < 2:
        return []
    match = Q()
    for word in query.split():
        match &= (
            Q(username__icontains=word)
            | Q(customer_symbol__icontains=word)
            | Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    return list(User.objects.filter(match, role__in=PORTAL_ROLES).order_by("username")[:limit])
