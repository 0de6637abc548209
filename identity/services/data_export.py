"""A customer's copy of their own data (art. 15 and 20 GDPR).

The customer asks in their account (their password confirms it is them); a background task
builds a ZIP from the registry of personal data (core.personal_data: every app's holdings, JSON
and CSV, with invoices' PDFs and cases' attachments) and e-mails a link to the account page. The
file is downloaded there, by the account's own session only, until it expires a week later; the
e-mail alone opens nothing. A property manager's account holds no data of its own customers to
give (the managers' data is the customers'), so only customers ask."""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import personal_data
from core.access import Role
from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import email_enqueue, recipient_language
from core.queueing import queue_after_commit
from core.schemas import current_schema
from identity import tasks
from identity.errors import IdentityErrorCode
from identity.models import AuthEvent, DataExport, User
from identity.services.base import RequestInfo, audit
from identity.services.profile import reauthenticate

logger = logging.getLogger(__name__)

KEPT_DAYS = 7
# A copy asked for again this soon is the last one, not a new build (each build reads everything).
AGAIN_AFTER = timedelta(hours=1)


def data_export_allowed(user: User) -> None:
    """Only a customer has a copy of their own data here (403 for anyone else)."""
    if user.role != Role.CUSTOMER:
        raise ApplicationError(
            _("A copy of personal data is given to customers; ask the office for yours."),
            code=CoreErrorCode.NOT_ALLOWED,
            status=403,
        )


def data_export_request(
    *, user: User, current_password: str, base_url: str, info: RequestInfo | None = None
) -> DataExport:
    """Start building the customer's copy (or give the one being built, or the one built within
    the last hour). Refused for any account but a customer's (403) and without the account's
    current password (``reauthenticate``)."""
    data_export_allowed(user)
    reauthenticate(user=user, current_password=current_password, info=info)
    recent = (
        DataExport.objects.filter(user=user, requested_at__gte=timezone.now() - AGAIN_AFTER)
        .exclude(status=DataExport.Status.FAILED)
        .first()
    )
    if recent is not None:
        return recent
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
            audit(AuthEvent.Kind.DATA_EXPORT_REQUESTED, user=user, login=user.username, info=info)
            queue_after_commit(
                tasks.data_export_build,
                run_here_if_broker_down=True,
                export_id=export.pk,
                base_url=base_url,
            )
    except IntegrityError:  # a second request at the same moment: the first one's export
        first = DataExport.objects.filter(user=user).first()
        if first is None:
            raise
        return first
    return export


def data_export_build(*, export_id: int, base_url: str) -> None:
    """Build the archive of a queued export, store it, mark it ready and e-mail the customer.
    A task run twice (a retry) finds the export no longer queued and does nothing."""
    export = (
        DataExport.objects.select_related("user")
        .filter(pk=export_id, status=DataExport.Status.QUEUED)
        .first()
    )
    if export is None:
        return
    user = export.user
    language = recipient_language(user.language)
    path = f"{current_schema()}/exports/{uuid.uuid4().hex}.zip"
    try:
        with translation.override(language):
            readme = _readme(user)
        with tempfile.TemporaryFile() as buffer:
            counts = personal_data.export_archive(
                buffer,
                account_id=user.pk,
                customer_ids=personal_data.customers_of_account(user.pk),
                readme=readme,
            )
            size = buffer.tell()
            buffer.seek(0)
            path = default_storage.save(path, File(buffer))
    except Exception:
        logger.exception("data export %s could not be built", export.pk)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now()
        )
        return
    now = timezone.now()
    with transaction.atomic():
        done = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.QUEUED).update(
            status=DataExport.Status.READY,
            path=path,
            size=size,
            rows=counts,
            finished_at=now,
            expires_at=now + timedelta(days=KEPT_DAYS),
        )
        if not done:
            transaction.on_commit(lambda: default_storage.delete(path))
            return
        if user.email:
            email_enqueue(
                to=user.email,
                template="data_export_ready",
                language=language,
                user_id=user.pk,
                context={
                    "greeting_name": user.greeting_name,
                    "link": f"{base_url}/account/data/",
                    "expires_at": now + timedelta(days=KEPT_DAYS),
                },
            )


def _readme(user: User) -> str:
    """What the archive holds and why, in the customer's language (art. 15(1) GDPR: purposes,
    categories, recipients, how long, the rights)."""
    entries = [
        {
            "name": personal_data.export_name(holding),
            "what": holding.title or holding.model._meta.verbose_name,
            "categories": [str(personal_data.CATEGORY_LABELS[c]) for c in holding.categories],
            "purpose": holding.purpose,
            "basis": personal_data.BASIS_LABELS[holding.basis],
            "retention": holding.retention.label,
            "law": holding.retention.law,
            "recipients": [str(r) for r in holding.recipients],
        }
        for holding in sorted(personal_data.holdings(), key=personal_data.export_name)
    ]
    return render_to_string(
        "identity/data_export_readme.txt",
        {"entries": entries, "user": user, "made_at": timezone.localtime()},
    )


def data_export_for_download(*, user: User, export_id: int) -> DataExport:
    """The user's own ready export (404 for anyone else's or none; 410 once expired)."""
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None or export.status not in (
        DataExport.Status.READY,
        DataExport.Status.EXPIRED,
    ):
        raise ApplicationError(_("Not found."), code=CoreErrorCode.NOT_FOUND, status=404)
    if (
        export.status == DataExport.Status.EXPIRED
        or export.expires_at is None
        or export.expires_at <= timezone.now()
    ):
        raise ApplicationError(
            _("This copy has expired and was deleted. You can ask for a new one."),
            code=IdentityErrorCode.LINK_EXPIRED,
            status=410,
        )
    DataExport.objects.filter(pk=export.pk).update(downloaded_at=timezone.now())
    audit(AuthEvent.Kind.DATA_EXPORT_DOWNLOADED, user=user, login=user.username)
    return export


def data_exports_expire() -> int:
    """Delete the files of exports past their week (a periodic job per tenant); returns how
    many expired. Run again, it finds nothing more to do."""
    expired = 0
    for export in DataExport.objects.filter(
        status=DataExport.Status.READY, expires_at__lte=timezone.now()
    ):
        default_storage.delete(export.path)
        expired += DataExport.objects.filter(pk=export.pk, status=DataExport.Status.READY).update(
            status=DataExport.Status.EXPIRED, path=""
        )
    return expired
