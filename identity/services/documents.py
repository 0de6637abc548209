"""Documents to accept: publishing a new version and recording acceptances."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Role
from core.errors import ApplicationError
from core.http import tenant_base_url
from core.outbox.models import Message
from core.outbox.services import email_to_user
from identity import (
    selectors,  # the Celery tasks of the functions below (they call back here)
)
from identity.errors import (
    IdentityErrorCode,
)
from identity.models import (
    AuthEvent,
    Document,
    DocumentAcceptance,
    User,
)
from identity.services.base import RequestInfo, audit


@transaction.atomic
def documents_accept(*, user: User, ids: list[int], info: RequestInfo | None = None) -> None:
    """Record acceptance of current documents; every pending one must be among ``ids``.
    The account's row is locked first: the same account accepting in two sessions at once (two
    tabs, two devices) records each acceptance once, and the later session finds nothing left."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    pending = selectors.documents_to_accept(user)
    pending_ids = {doc.pk for doc in pending}
    wanted = set(ids)
    if not pending_ids <= wanted or not wanted <= pending_ids | _accepted_ids(user):
        raise ApplicationError(
            _("Please accept every document listed."), code=IdentityErrorCode.UNKNOWN_DOCUMENT
        )
    for doc in pending:
        DocumentAcceptance.objects.create(
            user=user,
            document=doc,
            ip=info.ip if info and info.ip != "unknown" else None,
            channel=info.channel if info else "portal",
        )
    if pending:
        audit(
            AuthEvent.Kind.TERMS_ACCEPTED,
            user=user,
            login=user.get_username(),
            info=info,
            documents=[f"{d.kind}:v{d.version}" for d in pending],
        )


def _accepted_ids(user: User) -> set[int]:
    return set(DocumentAcceptance.objects.filter(user=user).values_list("document_id", flat=True))


@transaction.atomic
def document_publish(
    *, kind: str, title: str, body: str = "", pdf=None, titles: dict | None = None
) -> Document:
    """A new version of a document, published now; users accept it at their next login.
    ``titles`` holds the title in English and Ukrainian (empty ones are left out)."""
    last = Document.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    doc = Document(
        kind=kind,
        version=(last.version + 1) if last else 1,
        title=title,
        titles={k: v.strip() for k, v in (titles or {}).items() if k in ("en", "uk") and v.strip()},
        body=body,
        published_at=timezone.now(),
    )
    if pdf is not None:
        doc.pdf = pdf
    doc.save()
    for listener in _PUBLISHED:
        listener(doc)
    return doc


# Who is told of a new version (notifications registers itself in its AppConfig.ready()).
_PUBLISHED: list[Callable[[Document], object]] = []


def register_publish_listener(listener: Callable[[Document], object]) -> None:
    if listener not in _PUBLISHED:
        _PUBLISHED.append(listener)


# When the tenant's administrators are reminded of the accessibility declaration's yearly
# review (the law: by 31 March): from 1 March, again in its last week, then once a month while it
# is late. Each reminder goes once to each administrator.
REVIEW_REMINDERS = (((3, 25), "last-week"), ((3, 1), "march"))  # (month, day), the latest first


def _review_stage(today: date) -> str | None:
    if today > date(today.year, 3, 31):
        return f"late-{today.month:02d}"
    for start, name in REVIEW_REMINDERS:
        if (today.month, today.day) >= start:
            return name
    return None


def accessibility_review_remind(*, today: date | None = None) -> int:
    """E-mail the tenant's administrators while this year's review of the accessibility
    declaration is not done; returns how many were written to now."""
    today = today or timezone.localdate()
    config = selectors.tenant_config()
    stage = _review_stage(today)
    if config is None or stage is None or not config.accessibility.review_due(today):
        return 0
    link = tenant_base_url() + reverse("office_accessibility")
    admins = list(
        User.objects.filter(role=Role.TENANT_ADMIN, is_active=True).exclude(email="").order_by("pk")
    )
    keys = {admin.pk: f"accessibility-review:{today.year}:{stage}:{admin.pk}" for admin in admins}
    told = set(Message.objects.filter(idempotency_key__in=keys.values()).values_list(
        "idempotency_key", flat=True
    ))  # fmt: skip
    sent = 0
    for admin in admins:
        if keys[admin.pk] in told:
            continue
        email_to_user(
            admin,
            template="accessibility_review_due",
            context=lambda: {"link": link, "late": stage.startswith("late"), "year": today.year},
            idempotency_key=keys[admin.pk],
        )
        sent += 1
    return sent
