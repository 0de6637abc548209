"""Reads of identity data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.access import PORTAL_ROLES
from identity import pesel
from identity.models import AuthEvent, Document, DocumentAcceptance, User
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


def current_documents(kinds) -> list[Document]:
    """The newest published version of each of ``kinds``."""
    out = []
    for kind in kinds:
        doc = (
            Document.objects.filter(kind=str(kind), published_at__isnull=False)
            .order_by("-version")
            .first()
        )
        if doc is not None:
            out.append(doc)
    return out


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
