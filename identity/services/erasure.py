"""Erasure of a person's data (art. 17 GDPR).

A customer (or a property manager, for their own account) asks in their account with their
password; staff may record a request received another way, with its reason. The office carries
requests out from a queue ordered by the month the law gives (art. 12(3)). Carrying one out runs
the registry of personal data (``core.personal_data.erase``): what only served the person goes,
their contact data is blanked where a record must stay, and what a law requires is kept with its
basis and the day it goes; the account can no longer log in (its sessions and tokens end) and a
re-sent ERP file does not bring the contact data back (``Customer.erased_at``)."""

from __future__ import annotations

import logging

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import personal_data
from core.access import PORTAL_ROLES
from core.errors import ApplicationError, CoreErrorCode
from identity.models import AuthEvent, DataExport, ErasureRequest, RetentionRun, User
from identity.services.base import RequestInfo, audit
from identity.services.profile import reauthenticate
from tenants.services import retention_report_record

ERASED_LOGIN = "usuniete-{pk}"
logger = logging.getLogger(__name__)


def erasure_request(
    *, user: User, current_password: str, info: RequestInfo | None = None
) -> ErasureRequest:
    """The person's own request (their password confirms it is them): queued for the office
    with the statutory deadline; asking again while one waits gives that one."""
    _portal_account(user)
    reauthenticate(user=user, current_password=current_password, info=info)
    return _queue(user=user, asked_by="customer", reason="", info=info)


def erasure_record(*, user: User, actor: User, reason: str) -> ErasureRequest:
    """A request the office received in writing or in person, recorded by staff with what it
    was based on."""
    if not reason.strip():
        raise ApplicationError(
            _("Say how the request was made (a letter, at the office) and when."),
            code=CoreErrorCode.REASON_REQUIRED,
            extra={"fields": {"reason": [_("This field is required.")]}},
        )
    _portal_account(user)
    return _queue(user=user, asked_by=actor.get_username(), reason=reason.strip(), info=None)


def _portal_account(user: User) -> None:
    """Erasure is for customers' and managers' accounts (403 for staff, whose accounts the
    administrator closes)."""
    if user.role not in PORTAL_ROLES:
        raise ApplicationError(
            _("Staff accounts are closed by the organisation's administrator."),
            code=CoreErrorCode.NOT_ALLOWED,
            status=403,
        )


def _queue(*, user: User, asked_by: str, reason: str, info) -> ErasureRequest:
    waiting = ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).first()
    if waiting is not None:
        return waiting
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(
                user=user,
                deadline=timezone.localdate() + relativedelta(months=1),
                asked_by=asked_by,
                reason=reason,
            )
            audit(
                AuthEvent.Kind.ERASURE_REQUESTED,
                user=user,
                login=user.get_username(),
                info=info,
                asked_by=asked_by,
            )
    except IntegrityError:  # asked twice at the same moment: the first request
        return ErasureRequest.objects.get(user=user, status=ErasureRequest.Status.PENDING)
    return request


def erasure_carry_out(*, request_id: int, actor: User) -> ErasureRequest:
    """Erase what the registry finds of the request's person, record what was done, and end the
    account. A request already carried out is refused (409), so nothing is done twice."""
    with transaction.atomic():
        request = (
            ErasureRequest.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.user is None:
            raise ApplicationError(_("Not found."), code=CoreErrorCode.NOT_FOUND, status=404)
        if request.status != ErasureRequest.Status.PENDING:
            raise ApplicationError(
                _("This request has already been carried out."),
                code=CoreErrorCode.ALREADY_DECIDED,
                status=409,
            )
        user = request.user
        _portal_account(user)  # not made a member of staff since it was asked
        files = list(
            DataExport.objects.filter(user=user).exclude(path="").values_list("path", flat=True)
        )
        outcome = personal_data.erase(
            account_id=user.pk,
            customer_ids=personal_data.customers_of_account(user.pk),
            today=timezone.localdate(),
        )
        request.status = ErasureRequest.Status.DONE
        request.done_at = timezone.now()
        request.done_by = actor.get_username()
        request.outcome = outcome
        request.save(update_fields=["status", "done_at", "done_by", "outcome"])
        audit(
            AuthEvent.Kind.ERASURE_DONE,
            user=user,
            login=ERASED_LOGIN.format(pk=user.pk),
            actor=actor.get_username(),
            request=request.pk,
        )
        transaction.on_commit(lambda: _delete_files(files))
    return request


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        default_storage.delete(path)


def anonymise_accounts(rows) -> int:
    """The account stays (others' records name it) but says nothing of its person and opens
    nothing: no login, no password, no contact data, inactive."""
    count = 0
    for user in rows:
        user.username = ERASED_LOGIN.format(pk=user.pk)
        user.first_name = user.last_name = user.email = user.pending_email = ""
        user.phone = user.customer_symbol = ""
        user.password = make_password(None)  # unusable: sessions' hashes no longer match
        user.is_active = False
        user.save(
            update_fields=[
                "username",
                "first_name",
                "last_name",
                "email",
                "pending_email",
                "phone",
                "customer_symbol",
                "password",
                "is_active",
            ]
        )
        count += 1
    return count


def retention_apply() -> RetentionRun:
    """The nightly job of a tenant: every retention rule of the registry applied today, and what
    it deleted recorded (a second run the same day deletes nothing and adds its zeros)."""
    today = timezone.localdate()
    report = personal_data.apply_retention(today)
    run, created = RetentionRun.objects.get_or_create(ran_on=today, defaults={"report": report})
    if not created:
        for label, entry in report.items():
            kept = run.report.setdefault(label, {"rule": entry["rule"], "deleted": 0})
            kept["deleted"] += entry["deleted"]
            kept["blocked"] = entry["blocked"]
        run.save(update_fields=["report", "finished_at"])
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and not tenant.is_public:
        retention_report_record(tenant=tenant, ran_on=today, report=report)
    logger.info(
        "retention: %s rows deleted under %s rules",
        sum(e["deleted"] for e in report.values()),
        len(report),
    )
    return run
