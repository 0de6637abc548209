"""Telling customers: every app sends the events of the catalogue through ``notify`` (one
account) or ``notify_many`` (the residents of an estate), in the caller's transaction.

For each recipient the channels are those they chose for the event (else the tenant's default,
else the catalogue's), limited to what the tenant offers and what the account can receive (an
e-mail address, a mobile number). A mandatory notice (account security) always goes by e-mail.
Each message is written once per (event, occurrence, account, channel): the idempotency key,
so a job run twice or an event told twice sends nothing more. Messages are rendered once per
language, however many recipients share it; the greeting and the unsubscribe link are put in
per recipient. SMS wait for the end of the tenant's quiet hours; non-urgent e-mail waits for the
daily digest of those who take it.
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.template import Context as TemplateContext
from django.template import Engine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.access import PORTAL_ROLES
from core.errors import ApplicationError
from core.http import tenant_base_url
from core.outbox.models import Message
from core.outbox.rendering import branding_context, render_email
from core.outbox.services import messages_write, recipient_language
from core.sealing import seal
from identity.models import User
from identity.selectors import consenting_user_ids, tenant_config
from notifications import catalogue, selectors, sms
from notifications.errors import NotificationErrorCode
from notifications.models import (
    DigestChoice,
    DigestItem,
    Preference,
    PreferenceChange,
    SmsAccount,
)
from notifications.sms import quiet_until
from tenants.policies import Channel, TenantConfig, dump
from tenants.services import tenant_setting_set

GREETING = "%%GREETING%%"
UNSUBSCRIBE = "%%UNSUBSCRIBE%%"

Context = dict | Callable[[], dict] | None


def _error(code: NotificationErrorCode, message: str, *, status: int = 400, field: str = ""):
    extra = {"fields": {field: [message]}} if field else {}
    return ApplicationError(message, code=code, status=status, extra=extra)


# Quiet hours and the unsubscribe link.


def _unsubscribe_salt() -> str:
    return "notifications.unsubscribe:" + getattr(connection, "schema_name", "")


def unsubscribe_token(*, user_id: int, event: str) -> str:
    """A link that switches ``event`` off for the account, signed for this tenant only."""
    return signing.dumps({"u": user_id, "e": event}, salt=_unsubscribe_salt())


def invalid_link() -> ApplicationError:
    return _error(
        NotificationErrorCode.LINK_INVALID,
        _("This link is not valid. Change your notices in your account."),
        status=404,
    )


def unsubscribe_read(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token, salt=_unsubscribe_salt())
        return int(data["u"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise invalid_link() from exc


def unsubscribe_url(*, user_id: int, event: str, base: str = "") -> str:
    """The link of ``unsubscribe_token``; ``base`` (the portal's address and the page's path
    up to the token, from ``unsubscribe_base``) saves working it out per recipient."""
    return (base or unsubscribe_base()) + unsubscribe_token(user_id=user_id, event=event) + "/"


def unsubscribe_base() -> str:
    return tenant_base_url() + reverse("notifications_unsubscribe", args=["-"])[:-2]


# Telling.


def _context(context: Context) -> dict:
    return dict(context() if callable(context) else (context or {}))


def _channels(user, event, own, tenant_config: TenantConfig, sms_ready: bool) -> list[str]:
    """The channels ``user`` is told ``event`` by: chosen (or by default), offered, and with an
    address to reach (a mobile number read only when an SMS is to go)."""
    email, by_sms = (
        (own.email, own.sms) if own else selectors.default_channels(tenant_config, event)
    )
    out: list[str] = []
    if (email or event.mandatory) and user.email:
        out.append(str(Channel.EMAIL))
    if by_sms and sms_ready and user.phone and sms.number_of(user.phone):
        out.append(str(Channel.SMS))
    return out


class _Rendered:
    """One event rendered in one language: the e-mail (with placeholders for the greeting and
    the unsubscribe link) and the SMS text."""

    def __init__(
        self,
        event,
        context: Context,
        language: str,
        link: str,
        tenant_config,
        *,
        portal: bool = True,
        greeting: str = GREETING,
    ):
        with translation.override(language):
            values = {**_context(context), "link": link}
            self.email = render_email(
                event.template,
                {
                    **values,
                    "greeting_name": greeting,
                    "unsubscribe_url": "" if event.mandatory else UNSUBSCRIBE,
                    # Customers' and managers' own page of notices (staff have none).
                    "preferences_url": tenant_base_url() + reverse("notifications_preferences")
                    if portal
                    else "",
                },
                language=language,
            )
            # Plain text, as it is read on a phone: nothing is HTML-escaped.
            template = Engine.get_default().get_template(f"notifications/sms/{event.code}.txt")
            self.summary = " ".join(
                template.render(
                    TemplateContext({**branding_context(), **values}, autoescape=False)
                ).split()
            )
            text = self.summary
            if tenant_config.notifications.sms_plain_letters:
                text = sms.plain_letters(text)
            self.sms_text, self.sms_parts = sms.fit(
                text, max_parts=tenant_config.notifications.sms_max_parts
            )

    def email_for(self, name: str, unsubscribe: str) -> tuple[str, str]:
        text = self.email.text.replace(GREETING, name).replace(UNSUBSCRIBE, unsubscribe)
        html = self.email.html.replace(GREETING, escape(name)).replace(
            UNSUBSCRIBE, escape(unsubscribe)
        )
        return text, html


def notify(*, user, event: str, key: str, context: Context = None, link: str = "") -> int:
    """Tell one account of ``event``; ``key`` names the occurrence (an invoice, a case and its
    new status), so telling it again writes nothing. Returns the messages written."""
    return notify_many(users=[user], event=event, key=key, context=context, link=link)


@dataclass(frozen=True)
class Recipient:
    user: User
    channels: tuple[str, ...]
    digest: bool  # e-mail waits for the daily digest


def _told_before(event: str, key: str) -> set[tuple[int, str]]:
    """(account, channel) already told of this occurrence (its messages and digest items)."""
    prefix = f"{event}:{key}:"
    keys = list(
        Message.objects.filter(idempotency_key__startswith=prefix).values_list(
            "idempotency_key", flat=True
        )
    ) + list(
        DigestItem.objects.filter(idempotency_key__startswith=prefix).values_list(
            "idempotency_key", flat=True
        )
    )
    out = set()
    for found in keys:
        user_id, _sep, channel = (found or "")[len(prefix) :].partition(":")
        if user_id.isdigit():
            out.add((int(user_id), "email" if channel == "digest" else channel))
    return out


def recipients(
    *, users: Iterable, event: str, only: tuple[str, ...] = (), key: str | None = None
) -> list[Recipient]:
    """Who of ``users`` is told of ``event`` and by what (a few queries): what ``notify_many``
    would send, for a preview and its count; with ``key``, by channels not yet told of that
    occurrence."""
    spec = catalogue.event(event)
    tenant_config = selectors.config()
    if not spec.offered(tenant_config):
        return []
    people = [u for u in users if u.is_active]
    if people and spec.consent:
        # Processing for a purpose that needs consent stops the moment it is withdrawn.
        consenting = consenting_user_ids(spec.consent, [u.pk for u in people])
        people = [u for u in people if u.pk in consenting]
    if not people:
        return []
    ids = [u.pk for u in people]
    own = {p.user_id: p for p in Preference.objects.filter(event=event, user_id__in=ids)}
    digest = (
        set(
            DigestChoice.objects.filter(user_id__in=ids, daily=True).values_list(
                "user_id", flat=True
            )
        )
        if not (spec.urgent or spec.mandatory)
        else set()
    )
    sms_ready = selectors.sms_offered(tenant_config)
    told = _told_before(event, key) if key is not None else set()
    out = []
    for user in people:
        channels = _channels(user, spec, own.get(user.pk), tenant_config, sms_ready)
        if only or told:
            channels = [c for c in channels if (not only or c in only) and (user.pk, c) not in told]
        if channels:
            out.append(Recipient(user=user, channels=tuple(channels), digest=user.pk in digest))
    return out


def preview(
    *, event: str, context: Context = None, link: str = "", language: str = "", name: str = ""
) -> dict:
    """How ``event`` reads in ``language`` (the tenant's first by default) to someone called
    ``name``: the e-mail's subject and text, the SMS text with its parts, whether the tenant
    offers the event, and until when SMS wait now (quiet hours)."""
    tenant_config = selectors.config()
    spec = catalogue.event(event)
    rendered = _Rendered(
        spec,
        context,
        recipient_language(language),
        link,
        tenant_config,
        greeting=name or GREETING,
    )
    text, _html = rendered.email_for("", unsubscribe_base() + "…/")
    if not name:  # the layout's greeting without a name
        text = text.replace(" ,", ",", 1)
    settings_ = tenant_config.notifications
    held = quiet_until(
        timezone.now(), from_hour=settings_.quiet_from_hour, to_hour=settings_.quiet_to_hour
    )
    return {
        "subject": rendered.email.subject,
        "text": text,
        "sms": rendered.sms_text,
        "sms_parts": rendered.sms_parts,
        "offered": spec.offered(tenant_config),
        "sms_held_until": timezone.localtime(held) if held else None,
    }


def notify_many(
    *,
    users: Iterable,
    event: str,
    key: str,
    context: Context = None,
    link: str = "",
    only: tuple[str, ...] = (),
) -> int:
    """Tell every account in ``users`` of one occurrence of ``event``, each by their channels,
    in a few statements whatever their number. ``context`` is a dict, or a function called in
    each recipient language (for text that must be translated). Returns messages and digest
    items written (nothing for an event the tenant does not offer)."""
    with transaction.atomic():
        return _notify_many(
            users=users, event=event, key=key, context=context, link=link, only=only
        )


def _notify_many(*, users, event, key, context, link, only) -> int:
    spec = catalogue.event(event)
    told = recipients(users=users, event=event, only=only, key=key)
    if not told:
        return 0
    tenant_config = selectors.config()
    settings_ = tenant_config.notifications
    sms_not_before = quiet_until(
        timezone.now(), from_hour=settings_.quiet_from_hour, to_hour=settings_.quiet_to_hour
    )
    rendered: dict[tuple[str, bool], _Rendered] = {}
    messages, items = [], []
    unsubscribe_prefix = "" if spec.mandatory else unsubscribe_base()
    for recipient in told:
        user, channels = recipient.user, recipient.channels
        language = recipient_language(user.language)
        variant = (language, user.role in PORTAL_ROLES)
        if variant not in rendered:
            rendered[variant] = _Rendered(
                spec, context, language, link, tenant_config, portal=variant[1]
            )
        text = rendered[variant]
        base_key = f"{event}:{key}:{user.pk}"
        for channel in channels:
            if channel == Channel.EMAIL and recipient.digest:
                items.append(
                    DigestItem(
                        user_id=user.pk,
                        event=event,
                        idempotency_key=f"{base_key}:digest",
                        title=text.email.subject,
                        text=text.summary,
                        link=link,
                    )
                )
                continue
            if channel == Channel.EMAIL:
                unsubscribe = (
                    ""
                    if spec.mandatory
                    else unsubscribe_url(user_id=user.pk, event=event, base=unsubscribe_prefix)
                )
                body_text, body_html = text.email_for(user.greeting_name, unsubscribe)
                headers = (
                    {
                        "List-Unsubscribe": f"<{unsubscribe}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    }
                    if unsubscribe
                    else {}
                )
                messages.append(
                    Message(
                        channel=Message.Channel.EMAIL,
                        recipient=user.email,
                        template=spec.template,
                        language=language,
                        subject=text.email.subject,
                        body_text=body_text,
                        body_html=body_html,
                        headers=headers,
                        event=event,
                        user_id=user.pk,
                        idempotency_key=f"{base_key}:email",
                    )
                )
            else:
                messages.append(
                    Message(
                        channel=Message.Channel.SMS,
                        recipient=sms.number_of(user.phone),
                        template=f"sms/{event}",
                        language=language,
                        subject=text.email.subject[:300],
                        body_text=text.sms_text,
                        parts=text.sms_parts,
                        event=event,
                        user_id=user.pk,
                        idempotency_key=f"{base_key}:sms",
                        next_attempt_at=sms_not_before,
                    )
                )
    written = messages_write(messages)
    if items:
        written += len(DigestItem.objects.bulk_create(items, ignore_conflicts=True))
    return written


def security_notify(*, user, template: str, to: str = "") -> int:
    """Identity's account-security notices (mandatory): by e-mail always, to ``to`` when the
    news is that the address itself changed (the old address is told), and by SMS where the
    owner chose it. Each notice is an occurrence of its own."""
    key = uuid.uuid4().hex
    if not to or to == user.email:
        return notify(user=user, event=template, key=key)
    spec = catalogue.event(template)
    language = recipient_language(user.language)
    with translation.override(language):
        rendered = render_email(
            spec.template, {"greeting_name": user.greeting_name}, language=language
        )
    written = messages_write(
        [
            Message(
                recipient=to,
                template=spec.template,
                language=language,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                event=template,
                user_id=user.pk,
                idempotency_key=f"{template}:{key}:{user.pk}:email",
            )
        ]
    )
    # The new address and the phone hear of it by the owner's channels too.
    spec_sms = notify_many(users=[user], event=template, key=key, only=(Channel.SMS,))
    return written + spec_sms


def document_published(document) -> int:
    """A new version of a document customers must accept: its readers are told once per
    version (customers and managers; staff accept theirs at the office)."""
    config = tenant_config()
    if config is None or document.kind not in {
        str(k) for k in config.registration.required_documents
    }:
        return 0
    return notify_many(
        users=User.objects.filter(is_active=True, role__in=sorted(PORTAL_ROLES)).order_by("pk"),
        event="document_to_accept",
        key=f"{document.kind}:{document.version}",
        link=tenant_base_url() + reverse("document", args=[document.pk]),
        context=lambda: {"title": document.shown_title, "version": document.version},
    )


# The customer's choices.


def preferences_set(
    *,
    user,
    choices: dict[str, dict[str, bool]],
    digest: bool | None = None,
    actor=None,
    via: str = PreferenceChange.Via.PORTAL,
) -> int:
    """Set ``user``'s channels per event (``{"invoice_new": {"email": True, "sms": False}}``)
    and, if given, the daily digest. Refused as a whole when one choice cannot be: an event the
    tenant does not offer, e-mail off for a mandatory notice, SMS where the tenant offers none
    or the account has no mobile number. Every change is recorded; unchanged ones are not.
    Returns how many changed."""
    tenant_config = selectors.config()
    offered = {e.code: e for e in selectors.customer_events(tenant_config)}
    sms_ready = selectors.sms_offered(tenant_config)
    for code, wanted in choices.items():
        spec = offered.get(code)
        if spec is None:
            raise _error(
                NotificationErrorCode.UNKNOWN_EVENT,
                _("There is no such notice: %(code)s.") % {"code": code},
                field=code,
            )
        if spec.mandatory and wanted.get("email") is False:
            raise _error(
                NotificationErrorCode.MANDATORY_NOTICE,
                _("Security notices are always sent by e-mail."),
                field=code,
            )
        if wanted.get("sms") and not sms_ready:
            raise _error(
                NotificationErrorCode.CHANNEL_NOT_OFFERED,
                _("The office does not send text messages."),
                field=code,
            )
        if wanted.get("sms") and not sms.number_of(user.phone):
            raise _error(
                NotificationErrorCode.PHONE_REQUIRED,
                _("Add a mobile phone number to your contact data to get text messages."),
                field=code,
            )
        if wanted.get("email") and not user.email and not spec.mandatory:
            raise _error(
                NotificationErrorCode.EMAIL_REQUIRED,
                _("Add an e-mail address to your contact data to get e-mails."),
                field=code,
            )
    current = {
        c.event.code: c for c in selectors.choices_for(user=user, tenant_config=tenant_config)
    }
    changed = 0
    with transaction.atomic():
        for code, wanted in choices.items():
            now = current[code]
            email = bool(wanted.get("email", now.email))
            by_sms = bool(wanted.get("sms", now.sms))
            if (email, by_sms) == (now.email, now.sms):
                continue  # as it is (a default stays a default, following the tenant's)
            Preference.objects.update_or_create(
                user=user, event=code, defaults={"email": email, "sms": by_sms}
            )
            PreferenceChange.objects.create(
                user=user, event=code, email=email, sms=by_sms, via=via, actor=actor
            )
            changed += 1
        if digest is not None:
            row, _created = DigestChoice.objects.get_or_create(user=user)
            if row.daily != digest:
                row.daily = digest
                row.save(update_fields=["daily", "updated_at"])
                PreferenceChange.objects.create(user=user, digest=digest, via=via, actor=actor)
                changed += 1
    return changed


def unsubscribe_target(token: str) -> tuple[User, catalogue.Event]:
    """The active account and the optional event an unsubscribe link names; 404 otherwise."""
    user_id, code = unsubscribe_read(token)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    spec = next((e for e in selectors.customer_events(selectors.config()) if e.code == code), None)
    if user is None or spec is None or spec.mandatory:
        raise invalid_link()
    return user, spec


def unsubscribe(*, token: str, via: str = PreferenceChange.Via.UNSUBSCRIBE) -> catalogue.Event:
    """The link in an optional notice: that event's e-mails stop for the account (its SMS
    choice stays). Returns the event; a repeat changes nothing."""
    user, spec = unsubscribe_target(token)
    preferences_set(user=user, choices={spec.code: {"email": False}}, via=via)
    return spec


# The daily digest.


def digests_send(*, now: datetime | None = None) -> int:
    """At the tenant's digest hour, one e-mail per account with the notices that waited for it
    (once a day: the message's key names the day, and the items are marked in the same
    transaction). Returns the e-mails written."""
    now = now or timezone.now()
    tenant_config = selectors.config()
    if timezone.localtime(now).hour < tenant_config.notifications.digest_hour:
        return 0
    day = timezone.localdate(now).isoformat()
    written = 0
    with transaction.atomic():
        waiting = list(
            DigestItem.objects.select_for_update(skip_locked=True)
            .filter(sent_in__isnull=True)
            .order_by("user_id", "created_at", "id")
        )
        by_user: dict[int, list[DigestItem]] = defaultdict(list)
        for item in waiting:
            by_user[item.user_id].append(item)
        users = User.objects.in_bulk(list(by_user))
        for user_id, items in by_user.items():
            user = users.get(user_id)
            if user is None or not user.email or not user.is_active:
                continue
            language = recipient_language(user.language)
            with translation.override(language):
                rendered = render_email(
                    "notifications_digest",
                    {
                        "greeting_name": user.greeting_name,
                        "items": items,
                        "preferences_url": tenant_base_url() + reverse("notifications_preferences"),
                    },
                    language=language,
                )
            message = Message(
                recipient=user.email,
                template="notifications_digest",
                language=language,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                event="digest",
                user_id=user_id,
                idempotency_key=f"digest:{day}:{user_id}",
            )
            if not messages_write([message]):
                continue  # today's digest went out already: these wait for tomorrow's
            written += 1
            DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(sent_in=message.pk)
    return written


# The tenant's own settings of notices (its admin, in the office).


def notification_settings_save(*, tenant, actor, values: dict) -> bool:
    """The tenant admin's settings of notices (whether SMS is offered, the sender, quiet hours,
    the digest's hour, the days before a due date, SMS parts and letters), through the one
    audited write path of tenant settings (validated as a whole, no-op when unchanged).
    Returns whether anything changed."""
    current = dump(tenant.configuration.notifications)
    offered = values.pop("sms_offered", None)
    if offered is not None:
        values["channels"] = ["email", "sms"] if offered else ["email"]
    return tenant_setting_set(
        tenant=tenant, key="notifications", value={**current, **values}, actor=actor
    )


# The SMS provider account and its delivery reports.


def sms_account_save(
    *,
    actor,
    token: str = "",
    base_url: str,
    enabled: bool,
    test_mode: bool = False,
    check: bool = True,
) -> SmsAccount:
    """The tenant's SMSAPI account: a new token replaces the sealed one (an empty one keeps
    it). Enabling asks the provider whether the token works (unless ``check`` is off: the demo
    loader writes accounts before its simulator runs)."""
    account = SmsAccount.objects.first()
    base_url = base_url.strip().rstrip("/")
    address = urlsplit(base_url)
    known_provider = address.scheme == "https" and address.hostname in settings.SMS_PROVIDER_HOSTS
    if not (known_provider or address.hostname in settings.SMS_SIMULATOR_HOSTS):
        # The server calls this address with the token and the messages: the provider's own
        # hosts only, never one a tenant admin picks (the internal network).
        raise _error(
            NotificationErrorCode.SMS_ACCOUNT_INVALID,
            _("Give the SMS provider's address, e.g. https://api.smsapi.pl."),
            field="base_url",
        )
    if account is None and not token:
        raise _error(
            NotificationErrorCode.SMS_ACCOUNT_INVALID,
            _("Give the account's API token."),
            field="token",
        )
    if enabled and check:
        sms.Client(base_url=base_url, token=token or sms.token_of(account)).check()
    if account is None:
        account = SmsAccount(callback_secret=secrets.token_urlsafe(32))
    if token:
        account.sealed_token = seal(token.encode())
    account.base_url, account.enabled, account.test_mode = base_url, enabled, test_mode
    account.updated_by = actor
    account.save()
    return account


def sms_reports_receive(*, secret: str, params) -> int:
    """Delivery reports from the provider (a callback's parameters), for the account whose
    callback secret is in the address, checked first: each message's delivery status is
    recorded (a report for a message of another tenant, or an unknown one, changes nothing).
    Returns how many messages were updated."""
    account = SmsAccount.objects.first()
    if account is None or not secrets.compare_digest(
        account.callback_secret.encode(), secret.encode(errors="replace")
    ):
        raise _error(NotificationErrorCode.REPORT_REFUSED, _("Not found."), status=404)
    reports = sms.reports_from(params)
    updated = 0
    for report in reports:
        updated += Message.objects.filter(
            channel=Message.Channel.SMS, provider_id=report.message_id
        ).update(
            delivery_status=report.status,
            delivered_at=report.done_at if report.delivered else None,
        )
    return updated
