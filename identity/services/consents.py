"""Consents given and withdrawn (art. 7 GDPR): one row per change, with the text's version, the
privacy notice in force, the time and the channel. Withdrawing is one step, as giving is."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.access import PORTAL_ROLES
from core.errors import ApplicationError, CoreErrorCode
from identity import selectors
from identity.models import ConsentChannel, ConsentPurpose, ConsentRecord, Document, User
from identity.services.base import RequestInfo


def consents_allowed(user: User) -> None:
    """Consents are the portal's people's own (customers, property managers); staff give theirs
    under their employment, not here."""
    if user.role not in PORTAL_ROLES:
        raise ApplicationError(
            _("Consents are given by customers and property managers in their accounts."),
            code=CoreErrorCode.NOT_ALLOWED,
            status=403,
        )


def consent_set(
    *,
    user: User,
    purpose: str,
    granted: bool,
    info: RequestInfo | None = None,
    actor: User | None = None,
) -> ConsentRecord | None:
    """Give or withdraw ``user``'s consent to a purpose of the consents page; the new row, or
    None when the consent already stood so (nothing is recorded twice). ``actor`` is a member
    of staff recording it on the customer's word at the office."""
    consents_allowed(user)
    if purpose not in selectors.consents_offered():
        raise ApplicationError(
            _("This consent is not asked for here."), code=CoreErrorCode.NOT_FOUND, status=404
        )
    with transaction.atomic():
        # One change at a time per account: two tabs switching at once record one change.
        User.objects.select_for_update().filter(pk=user.pk).first()
        return consent_record(user=user, purpose=purpose, granted=granted, info=info, actor=actor)


def consent_record(
    *,
    user: User,
    purpose: str,
    granted: bool,
    subject: str = "",
    info: RequestInfo | None = None,
    actor: User | None = None,
    channel: str = "",
) -> ConsentRecord | None:
    """Record a change of ``user``'s consent (inside the caller's transaction, which holds the
    lock that orders changes); None when it already stood so. A grant is of the text in force;
    a withdrawal takes back the text that was consented to."""
    current = selectors.consent_current(user, purpose, subject)
    if (current.granted if current else False) == granted:
        return None
    text = selectors.consent_text(purpose) if granted or current is None else current.text
    if actor is not None:
        channel = ConsentChannel.OFFICE
    return ConsentRecord.objects.create(
        user=user,
        purpose=purpose,
        subject=subject,
        granted=granted,
        text=text,
        privacy_notice=selectors.current_document(Document.Kind.PRIVACY_NOTICE),
        channel=channel or (info.channel if info else "") or ConsentChannel.PORTAL,
        ip=info.ip if info and info.ip not in (None, "", "unknown") else None,
        actor=actor,
    )


def consent_given_at_registration(*, user: User, ip: str | None) -> ConsentRecord | None:
    """The service consent a registration form asked for (the tenant's rules)."""
    return consent_record(
        user=user,
        purpose=ConsentPurpose.SERVICE,
        granted=True,
        info=RequestInfo(ip=ip),
        channel=ConsentChannel.REGISTRATION,
    )
