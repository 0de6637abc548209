"""Writes customers make to their own account data: balance confirmations and e-invoice consent."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban

from billing import fa3, ksef, search, selectors
from billing.errors import BillingErrorCode, RowCode
from billing.importing import (
    ENTITIES,
    RowError,
    UnreadableFile,
    check_readable,
    iter_rows,
    moment,
    run_import,
)
from billing.models import (
    BalanceConfirmation,
    Customer,
    EInvoiceConsent,
    EInvoiceConsentEvent,
    GrantEvent,
    ImportJob,
    Invoice,
    InvoiceLine,
    InvoiceXml,
    ManagerCompany,
    ManagerMembership,
    Premises,
    PremisesGrant,
)
from billing.tasks import import_run
from core.errors import ApplicationError
from core.queueing import queue_after_commit
from identity.models import ConsentPurpose, User
from identity.services import consent_record, reauthenticate

logger = logging.getLogger(__name__)


@transaction.atomic
def customer_account_attach(*, customer_ids: list[int], user) -> int:
    """Let ``user`` see these customers (one account per customer; registration decides whose)."""

    attached = Customer.objects.filter(pk__in=customer_ids).update(user=user)
    search.documents_refresh(customer_ids)  # the account's names and contact data count too
    return attached


def _not_found() -> ApplicationError:
    return ApplicationError(_("Not found."), code=BillingErrorCode.NOT_FOUND, status=404)


@transaction.atomic
def balance_confirmation_answer(
    *, actor, confirmation_id: int, confirm: bool, comment: str = ""
) -> BalanceConfirmation:
    """Confirm or dispute (with a comment) a balance the organisation asked about; once."""
    confirmation = (
        selectors.balance_confirmation_list(actor=actor)
        .select_for_update()
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None:
        raise _not_found()
    if confirmation.status != BalanceConfirmation.Status.PENDING:
        raise ApplicationError(
            _("This balance has already been answered."),
            code=BillingErrorCode.ALREADY_ANSWERED,
            status=409,
        )
    comment = comment.strip()
    if not confirm and not comment:
        raise ApplicationError(
            _("Please say what you disagree with."),
            code=BillingErrorCode.COMMENT_REQUIRED,
            extra={"fields": {"comment": [_("This field is required.")]}},
        )
    confirmation.status = (
        BalanceConfirmation.Status.CONFIRMED if confirm else BalanceConfirmation.Status.DISPUTED
    )
    confirmation.comment = comment
    confirmation.answered_at = timezone.now()
    confirmation.save(update_fields=["status", "comment", "answered_at"])
    return confirmation


def _check_may_change_consent(actor, customer_id: int) -> None:
    scope = selectors.scope_for(actor)
    if not selectors.customer_list(actor=actor).filter(pk=customer_id).exists():
        raise _not_found()
    covered = selectors.fully_covered_customer_ids(scope)
    if covered is not None and customer_id not in covered:
        # e-invoice applies to all the customer's properties: only who sees them all may change it
        raise ApplicationError(
            _("Only the customer can change the e-invoice consent."),
            code=BillingErrorCode.NOT_ALLOWED,
            status=403,
        )


def _consent_for_write(actor, customer_id: int) -> EInvoiceConsent:
    _check_may_change_consent(actor, customer_id)
    consent, _created = EInvoiceConsent.objects.select_for_update().get_or_create(
        customer_id=customer_id
    )
    return consent


def einvoice_set(
    *, actor, customer_id: int, email: str, current_password: str = "", info=None
) -> EInvoiceConsent:
    """Activate e-invoices or change their e-mail (with the actor's current password: the
    address receives the customer's invoices); every change is kept in the history."""
    email = email.strip()
    if not email:
        raise ApplicationError(
            _("Please give the e-mail address for invoices."),
            code=BillingErrorCode.EMAIL_REQUIRED,
            extra={"fields": {"email": [_("This field is required.")]}},
        )
    _check_may_change_consent(actor, customer_id)
    current = EInvoiceConsent.objects.filter(customer_id=customer_id).first()
    if not (current and current.active and current.email == email):
        # Outside the write's transaction: a refusal keeps its audit row and throttle count.
        reauthenticate(user=actor, current_password=current_password, info=info)
    with transaction.atomic():
        return _einvoice_write(actor, customer_id, email, info)


def _consent_event(customer_id: int, action: str, email: str, actor, info) -> None:
    """A line of the e-invoice's history (its addresses), and the consent itself recorded as
    every consent is, with the wording's version, the privacy notice in force and the channel
    (identity.models.consents): given by the customer's account, about the customer."""
    EInvoiceConsentEvent.objects.create(
        customer_id=customer_id, action=action, email=email, actor=actor
    )
    if action != EInvoiceConsentEvent.Action.EMAIL_CHANGED:
        symbol = Customer.objects.filter(pk=customer_id).values_list("symbol", flat=True).first()
        consent_record(
            user=actor,
            purpose=ConsentPurpose.E_INVOICE,
            subject=symbol or str(customer_id),
            granted=action == EInvoiceConsentEvent.Action.ACTIVATED,
            info=info,
        )


def _einvoice_write(actor, customer_id: int, email: str, info=None) -> EInvoiceConsent:
    consent = _consent_for_write(actor, customer_id)
    if consent.active and consent.email == email:
        return consent
    action = (
        EInvoiceConsentEvent.Action.EMAIL_CHANGED
        if consent.active
        else EInvoiceConsentEvent.Action.ACTIVATED
    )
    consent.active, consent.email = True, email
    consent.save()
    _consent_event(customer_id, action, email, actor, info)
    return consent


@transaction.atomic
def einvoice_withdraw(*, actor, customer_id: int, info=None) -> EInvoiceConsent:
    """Withdraw the consent: one step, no password (taking consent back is never harder than
    giving it)."""
    consent = _consent_for_write(actor, customer_id)
    if not consent.active:
        return consent
    consent.active = False
    consent.save()
    _consent_event(customer_id, EInvoiceConsentEvent.Action.WITHDRAWN, consent.email, actor, info)
    return consent


MAX_IMPORT_BYTES = 100 * 1024 * 1024
# A run that shows no sign of life for this long lost its worker; it is resumed from the start
# (the import is idempotent) until it has been started this many times, then marked failed.
IMPORT_STALE_AFTER = timedelta(minutes=15)
IMPORT_MAX_ATTEMPTS = 3


@transaction.atomic
def import_job_create(*, entity: str, payload: str, dry_run: bool = False):
    """Store an ERP file as a job and queue it (after commit); returns the job. A file that
    cannot be read as a whole (NUL, a value over the limit, broken CSV) is refused here with
    400 and nothing is stored."""

    if entity not in ENTITIES:
        raise ApplicationError(
            _("Unknown import: %(entity)s.") % {"entity": entity},
            code=BillingErrorCode.UNKNOWN_ENTITY,
            status=404,
        )
    if not payload.strip():
        raise ApplicationError(_("The file is empty."), code=BillingErrorCode.EMPTY_FILE)
    check_readable(payload)
    job = ImportJob.objects.create(entity=entity, payload=payload, dry_run=dry_run)
    queue_after_commit(import_run, job_id=job.pk)
    return job


def import_job_run(*, job_id: int) -> None:
    """Run a queued import, updating its progress as batches commit. A job whose worker was lost
    mid-run (still "running") is run again from the start: rows already written are unchanged
    the second time. Whatever goes wrong ends the job as failed, with a reason and without the
    file, never stuck."""

    # One run at a time: a queued job, or a running one whose run went silent (a worker lost
    # mid-run whose message came back); a duplicate message for a live run does nothing.
    stale = timezone.now() - IMPORT_STALE_AFTER
    started = ImportJob.objects.filter(
        Q(status=ImportJob.Status.QUEUED)
        | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=stale),
        pk=job_id,
        attempts__lt=IMPORT_MAX_ATTEMPTS,
    ).update(
        status=ImportJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=timezone.now(),
        processed_rows=0,
    )
    if not started:
        return
    job = ImportJob.objects.get(pk=job_id)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, heartbeat_at=timezone.now())

    try:
        total = check_readable(job.payload)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        # Rows are read from the stored file a batch at a time, never all at once.
        rows = iter_rows(io.StringIO(job.payload.lstrip("\ufeff").strip()))
        result = run_import(ENTITIES[job.entity], rows, dry_run=job.dry_run, progress=progress)
    except UnreadableFile as exc:
        _import_job_fail(job.pk, exc.message)
        return
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _import_job_fail(job.pk, _("The import stopped because of an internal error."))
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        processed_rows=result.total,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        errors=result.errors[:1000],
        payload="",
        finished_at=timezone.now(),
    )


def _import_job_fail(job_id: int, reason: str) -> None:

    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED,
        failure=str(reason),
        payload="",
        finished_at=timezone.now(),
    )


def import_jobs_sweep() -> dict[str, int]:
    """Find imports nobody is working on: queued but never picked up (the broker lost the
    message) or running without a sign of life (the worker died). Queue them again, or mark
    them failed after IMPORT_MAX_ATTEMPTS starts. Returns what it did (periodic, per tenant)."""

    stale = timezone.now() - IMPORT_STALE_AFTER
    unfinished = ImportJob.objects.filter(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale))
    report = {"resumed": 0, "failed": 0}
    for job in unfinished.only("pk", "attempts"):
        if job.attempts >= IMPORT_MAX_ATTEMPTS:
            _import_job_fail(
                job.pk,
                _("The import stopped %(n)d times without finishing; send the file again.")
                % {"n": job.attempts},
            )
            report["failed"] += 1
        else:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now()
            )
            with transaction.atomic():
                queue_after_commit(import_run, job_id=job.pk)
            report["resumed"] += 1
    return report


@transaction.atomic
def _actor_name(actor: User | str) -> str:
    """Who is recorded: a user by login, or a process (the demo loader, an import) by name."""
    return actor if isinstance(actor, str) else actor.get_username()


def grant_create(
    *,
    company: ManagerCompany,
    premises_ids: list[int],
    valid_from: date,
    valid_to: date | None = None,
    actor: User | str,
) -> list[PremisesGrant]:
    """Grant a manager company premises (audited); returns the grants made."""

    if valid_to is not None and valid_to < valid_from:
        raise ApplicationError(
            _("The end of the access cannot be before its start."),
            code=BillingErrorCode.INVALID_PERIOD,
        )
    wanted = set(premises_ids)
    if not wanted or Premises.objects.filter(pk__in=wanted).count() != len(wanted):
        raise ApplicationError(
            _("Choose the premises to grant."), code=BillingErrorCode.PREMISES_REQUIRED
        )
    grants = []
    for premises_id in sorted(wanted):
        grant = PremisesGrant.objects.create(
            company=company, premises_id=premises_id, valid_from=valid_from, valid_to=valid_to
        )
        GrantEvent.objects.create(
            grant=grant, action=GrantEvent.Action.GRANTED, actor=_actor_name(actor)
        )
        grants.append(grant)
    return grants


@transaction.atomic
def grant_revoke(*, grant: PremisesGrant, actor: User | str) -> None:

    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        GrantEvent.objects.create(
            grant=grant, action=GrantEvent.Action.REVOKED, actor=_actor_name(actor)
        )


@transaction.atomic
def manager_company_create(*, name: str, nip: str, users=()):

    company = ManagerCompany.objects.create(name=name, nip=nip)
    for user in users:
        ManagerMembership.objects.create(company=company, user=user)
    return company


# What a customer may ask to change about itself (a change request the office accepts), with
# whether the change needs the account's password first (it could hand the account over or
# redirect money).
CUSTOMER_CHANGEABLE = {
    "email": True,
    "phone": True,
    "refund_account": True,
    "street": False,
    "building_no": False,
    "flat_no": False,
    "postcode": False,
    "city": False,
}


def _max_length(field: str) -> int:
    return getattr(Customer._meta.get_field(field), "max_length", None) or 0


def customer_change_problems(changes: dict[str, str]) -> dict[str, str]:
    """What is wrong with a requested change of customer data, by field (empty: nothing)."""
    out: dict[str, str] = {}
    for field, value in changes.items():
        if field not in CUSTOMER_CHANGEABLE:
            out[field] = _("This data cannot be changed by a request.")
        elif not isinstance(value, str) or len(value) > _max_length(field):
            out[field] = _("The value is too long.")
        elif field == "email":
            try:
                validate_email(value)
            except ValidationError:
                out[field] = _("Enter a valid e-mail address.")
        elif field == "phone" and not (
            re.fullmatch(r"\+?[0-9 ]+", value) and 9 <= sum(c.isdigit() for c in value) <= 15
        ):
            out[field] = _("Enter a phone number of 9 to 15 digits.")
        elif field == "refund_account" and not (
            value.isdigit() and len(value) == 26 and iban.is_valid("PL" + value)
        ):
            out[field] = _("Enter a valid 26-digit account number.")
        elif field == "postcode" and not re.fullmatch(r"\d{2}-\d{3}", value):
            out[field] = _("Enter the postcode as 00-000.")
        elif field in ("street", "city") and not value.strip():
            out[field] = _("This field is required.")
    return out


@transaction.atomic
def customer_data_change(*, customer_id: int, changes: dict[str, str]) -> dict[str, tuple]:
    """Writes an accepted change of a customer's own data (contact data, correspondence
    address, refund account); returns ``{field: (old, new)}`` for the caller's audit trail.
    The one write path of customer data outside the ERP import."""
    problems = customer_change_problems(changes)
    if problems:
        raise ApplicationError(
            _("The change cannot be applied: %(fields)s.") % {"fields": ", ".join(problems)},
            code=BillingErrorCode.INVALID_CHANGE,
            extra={"fields": {k: [v] for k, v in problems.items()}},
        )
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    applied = {}
    for field, value in changes.items():
        old = getattr(customer, field)
        if old != value:
            applied[field] = (old, value)
            setattr(customer, field, value)
    if applied:
        customer.save(update_fields=[*applied, "updated_at"])
        search.documents_refresh([customer.pk])
    return applied


@dataclass
class XmlImported:
    invoice: Invoice
    created: bool
    lines: int


def invoice_xml_import(
    *,
    raw: bytes,
    erp_id: str,
    seller_nip: str,
    customer_erp_id: str = "",
    premises_erp_id: str = "",
    ksef_number: str = "",
    ksef_accepted_at: str = "",
    ksef_mode: str = "",
    kod2_url: str = "",
    dry_run: bool = False,
) -> XmlImported:
    """Take an invoice as KSeF holds it (FA(3) XML): the invoice and its lines are filled from
    it (created, or the ERP's invoice ``erp_id`` completed), the XML is kept byte for byte and its
    SHA-256 is the hash KOD I carries. Nothing is written when anything is wrong (the reason is
    the error) or with ``dry_run``. The KSeF number and acceptance time are not in the XML (KSeF
    gives them on acceptance): the ERP sends them beside it, or later with the invoices file; so
    does it KOD II of an invoice issued offline (signed with its offline certificate), which must
    name this seller and this XML's hash."""

    erp_id = erp_id.strip()
    if not erp_id or len(erp_id) > 64:
        raise ApplicationError(
            _("Name the invoice's erp_id (at most 64 characters)."),
            code=BillingErrorCode.INVALID_PARAMETER,
        )
    extra = _xml_parameters(ksef_number, ksef_accepted_at, ksef_mode)
    try:
        parsed = fa3.parse(raw)
    except fa3.Refused as exc:
        raise ApplicationError(
            str(exc.detail),
            code=exc.code,
            status=413 if exc.code == BillingErrorCode.TOO_LARGE else 400,
        ) from exc
    if not seller_nip:
        raise ApplicationError(
            _(
                "The organisation's NIP is not set in its settings; an FA(3) invoice's seller "
                "cannot be checked without it."
            ),
            code=BillingErrorCode.SELLER_MISMATCH,
        )
    if kod2_url.strip():
        problem = ksef.kod2_problem(
            kod2_url.strip(), seller_nip=seller_nip, sha256_hex=parsed.sha256
        )
        if problem:
            raise ApplicationError(str(problem), code=RowCode.INVALID_KOD2)
        extra["kod2_url"] = kod2_url.strip()
    for named in (parsed.seller_nip, extra.get("ksef_number", seller_nip)[:10]):
        if named != seller_nip:  # the XML's seller, or the NIP a KSeF number begins with
            raise ApplicationError(
                _("The invoice's seller (NIP %(nip)s) is not this organisation (NIP %(own)s).")
                % {"nip": named, "own": seller_nip},
                code=BillingErrorCode.SELLER_MISMATCH,
            )
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(erp_id=erp_id).first()
        fields = _xml_invoice_fields(parsed, invoice, customer_erp_id, premises_erp_id)
        fields.update(extra)
        if invoice is not None:
            _check_same_document(invoice, parsed)
        elif "ksef_mode" not in fields:
            fields["ksef_mode"] = Invoice.KsefMode.ONLINE if fields.get("ksef_number") else ""
        if Invoice.objects.filter(number=parsed.number).exclude(erp_id=erp_id).exists():
            raise ApplicationError(
                _("This invoice number belongs to another invoice."),
                code=BillingErrorCode.CONFLICT,
                status=409,
            )
        created = invoice is None
        if invoice is None:
            invoice = Invoice.objects.create(erp_id=erp_id, **fields)
        else:
            for name, value in fields.items():
                setattr(invoice, name, value)
            invoice.save()
        InvoiceLine.objects.filter(invoice=invoice).delete()
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                erp_id=f"fa3:{invoice.pk}:{'b' if line.before else 'a'}{line.position}",
                invoice=invoice,
                position=line.position,
                name=line.name[:256],
                unit=line.unit,
                quantity=line.quantity,
                unit_net=line.unit_net,
                vat_rate=line.vat_rate,
                net=line.net,
                vat=line.vat,
                gross=line.gross,
                before=line.before,
            )
            for line in parsed.lines
        )
        InvoiceXml.objects.update_or_create(
            invoice=invoice, defaults={"content": raw, "sha256": parsed.sha256}
        )
        if dry_run:
            transaction.set_rollback(True)
    return XmlImported(invoice, created, len(parsed.lines))


def _xml_parameters(ksef_number: str, accepted_at: str, mode: str) -> dict:
    """What the ERP sends beside the XML, checked."""
    out: dict = {}
    if ksef_number.strip():
        number = ksef_number.strip().upper()
        problem = ksef.ksef_number_problem(number)
        if problem:
            raise ApplicationError(_(problem), code=RowCode.INVALID_KSEF_NUMBER)
        out["ksef_number"] = number
    if accepted_at.strip():
        try:
            out["ksef_accepted_at"] = moment(accepted_at)
        except RowError as exc:
            raise ApplicationError(
                str(exc.detail), code=BillingErrorCode.INVALID_PARAMETER
            ) from exc
    if mode.strip():
        if mode.strip() not in Invoice.KsefMode.values:
            raise ApplicationError(
                _("The KSeF mode is online or offline."), code=BillingErrorCode.INVALID_PARAMETER
            )
        out["ksef_mode"] = mode.strip()
    return out


def _xml_invoice_fields(parsed, invoice, customer_erp_id: str, premises_erp_id: str) -> dict:
    fields: dict = {
        "number": parsed.number,
        "kind": parsed.kind,
        "issue_date": parsed.issue_date,
        "sale_date": parsed.sale_date,
        "gross": parsed.gross,
        "net": parsed.net,
        "vat": parsed.vat,
        "buyer_name": parsed.buyer_name,
        "buyer_address": parsed.buyer_address,
        "buyer_nip": parsed.buyer_nip,
        "recipient_name": parsed.recipient_name,
        "recipient_address": parsed.recipient_address,
        "correction_reason": parsed.correction_reason,
        "split_payment": parsed.split_payment,
        "xml_sha256": parsed.sha256,
    }
    if customer_erp_id.strip():
        customer = Customer.objects.filter(erp_id=customer_erp_id.strip()).first()
        if customer is None:
            raise _unknown_reference(_("No customer with the ERP's id %(id)s."), customer_erp_id)
        fields["customer"] = customer
    elif invoice is None:
        raise ApplicationError(
            _("Name the customer (customer, the ERP's id) of a new invoice."),
            code=BillingErrorCode.CUSTOMER_REQUIRED,
        )
    if premises_erp_id.strip():
        premises = Premises.objects.filter(erp_id=premises_erp_id.strip()).first()
        if premises is None:
            raise _unknown_reference(_("No premises with the ERP's id %(id)s."), premises_erp_id)
        fields["premises"] = premises
    due = parsed.due_date or (invoice.due_date if invoice else None)
    if due is None:
        raise ApplicationError(
            _("The invoice has no payment due date (Platnosc/TerminPlatnosci/Termin)."),
            code=BillingErrorCode.INVALID_INVOICE,
        )
    if due < parsed.issue_date:
        raise ApplicationError(
            _("The due date is before the issue date."), code=BillingErrorCode.INVALID_INVOICE
        )
    fields["due_date"] = due
    fields["corrects"] = None
    if parsed.kind == Invoice.Kind.CORRECTION:
        corrected = (
            Invoice.objects.filter(ksef_number=parsed.corrected_ksef_number).first()
            if parsed.corrected_ksef_number
            else None
        ) or Invoice.objects.filter(number=parsed.corrected_number).first()
        if corrected is None:
            raise _unknown_reference(
                _("The corrected invoice %(id)s is not in the e-BOK: send it first."),
                parsed.corrected_ksef_number or parsed.corrected_number,
            )
        fields["corrects"] = corrected
    return fields


def _unknown_reference(message: str, value: str) -> ApplicationError:
    return ApplicationError(message % {"id": value.strip()}, code=RowCode.UNKNOWN_REFERENCE)


def _check_same_document(invoice: Invoice, parsed) -> None:
    """The XML completes the ERP's invoice; it cannot turn it into another one."""
    if invoice.number != parsed.number:
        raise ApplicationError(
            _("The invoice %(erp)s is number %(number)s; the XML is invoice %(other)s.")
            % {"erp": invoice.erp_id, "number": invoice.number, "other": parsed.number},
            code=BillingErrorCode.CONFLICT,
            status=409,
        )
    if invoice.ksef_number and invoice.xml_sha256 and invoice.xml_sha256 != parsed.sha256:
        raise ApplicationError(
            _(
                "KSeF accepted this invoice as another XML (its SHA-256 differs): the file "
                "is not the invoice KSeF holds."
            ),
            code=BillingErrorCode.XML_HASH_MISMATCH,
            status=409,
        )
