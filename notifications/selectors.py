"""Reads: what a customer chose (or gets by default) for each event the tenant offers, the
history of those choices, and what was sent to an account."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from core.outbox.models import Message
from identity.selectors import consents_offered
from notifications import catalogue
from notifications.catalogue import Event
from notifications.models import DigestChoice, Preference, PreferenceChange, SmsAccount
from tenants.policies import Channel, TenantConfig


@dataclass(frozen=True)
class Choice:
    event: Event
    email: bool
    sms: bool
    chosen: bool  # the customer's own choice (else the tenant's or the catalogue's default)


def config() -> TenantConfig:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or not getattr(tenant, "has_configuration", False):
        raise RuntimeError("no tenant is active on this connection")
    return tenant.configuration


def sms_account() -> SmsAccount | None:
    return SmsAccount.objects.filter(enabled=True).first()


def sms_offered(tenant_config: TenantConfig | None = None) -> bool:
    """The tenant offers SMS and has a working provider account."""
    tenant_config = tenant_config or config()
    return tenant_config.notifications.offers(Channel.SMS) and sms_account() is not None


def default_channels(tenant_config: TenantConfig, event: Event) -> tuple[bool, bool]:
    chosen = tenant_config.notifications.default_for(event.code)
    return (chosen.email, chosen.sms) if chosen else (event.email, event.sms)


def customer_events(tenant_config: TenantConfig) -> list[Event]:
    """The events the tenant offers its customers; one needing a consent only where the
    organisation asks for that consent."""
    shown = [e for e in catalogue.events(tenant_config) if e.for_customers]
    if any(e.consent for e in shown):
        asked = set(consents_offered())
        shown = [e for e in shown if not e.consent or e.consent in asked]
    return shown


def choices_for(*, user, tenant_config: TenantConfig | None = None) -> list[Choice]:
    """Per event the tenant offers customers: the channels ``user`` gets (one query). A
    mandatory notice always goes by e-mail."""
    tenant_config = tenant_config or config()
    own = {p.event: p for p in Preference.objects.filter(user=user)}
    out = []
    for event in customer_events(tenant_config):
        mine = own.get(event.code)
        email, sms = (mine.email, mine.sms) if mine else default_channels(tenant_config, event)
        out.append(Choice(event=event, email=email or event.mandatory, sms=sms, chosen=bool(mine)))
    return out


def takes_digest(*, user) -> bool:
    return DigestChoice.objects.filter(user=user, daily=True).exists()


def changes_of(*, user, limit: int = 20) -> list[tuple[PreferenceChange, str]]:
    """The latest changes of the account's choices, each with its event's title (the digest's
    changes have none)."""
    titles = {e.code: str(e.title) for e in catalogue.events()}
    rows = PreferenceChange.objects.filter(user=user).select_related("actor")[:limit]
    return [(row, titles.get(row.event, row.event)) for row in rows]


def notices() -> QuerySet[Message]:
    """The outbox's notices of the catalogue (and digests), which staff may read. Never the
    rest: identity's own mail carries set-password and reset links and one-time passwords,
    which would open the account to whoever reads them."""
    return Message.objects.exclude(event="").defer("body_html")


def messages_to(*, user_id: int) -> QuerySet[Message]:
    """The notices sent (or waiting) to an account, newest first."""
    return notices().filter(user_id=user_id)


def dead_letters() -> QuerySet[Message]:
    return notices().filter(status=Message.Status.FAILED)
