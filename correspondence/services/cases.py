"""Writes of cases: filing one (with its reference, deadline and attachments), the messages both
ways, the office's answers, notes, assignment and status changes, the customer's closing,
reopening and rating, and the data change a request asks for, applied when staff accept it."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from billing import selectors as billing_selectors
from billing.models import Customer, Invoice, LegalTitle, Premises
from billing.services import CUSTOMER_CHANGEABLE, customer_change_problems, customer_data_change
from core import throttling, uploads
from core.access import Role
from core.errors import ApplicationError, CoreErrorCode, Throttled
from core.http import tenant_base_url
from core.outbox.services import email_enqueue, email_to_user, recipient_language
from correspondence.attachments import attachments_check
from correspondence.changes import CHANGE_LABELS
from correspondence.deadlines import add_business_days, is_business_day
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.models import Case, CaseAttachment, CaseCounter, CaseMessage, CaseStatus
from correspondence.models.cases import OPEN_STATUSES
from correspondence.selectors import cases as selectors
from identity.models import User
from identity.permissions import staff_with_permission
from identity.selectors import current_config
from identity.services import reauthenticate
from notifications.services import notify
from tenants.policies import CaseField, CaseKind

TEXT_LIMIT = 5000
# Which statuses staff may move a case to from each (the customer's own moves are below).
STAFF_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.CLOSED}),
    CaseStatus.WAITING: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.ANSWERED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.IN_PROGRESS}),
}
# An answer from the office leaves the case answered, or waiting when it asks the customer.
ANSWER_STATUSES = frozenset({CaseStatus.ANSWERED, CaseStatus.WAITING})
# How far back the same text filed again counts as a repeat.
REPEAT_WINDOW = timedelta(days=30)


def _not_found() -> ApplicationError:
    return ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)


def offered_kinds(config=None) -> list[CaseKind]:
    """The kinds of case the tenant offers now: active, and their module switched on."""
    config = config or current_config()
    return [k for k in config.correspondence.kinds if k.active and config.has_module(k.module)]


def kind_name(code: str, config=None) -> str:
    config = config or current_config()
    kind = config.correspondence.kind(code)
    return str(kind.name) if kind else code


def _text(value: str) -> str:
    text = (value or "").strip()
    if not text:
        message = _("Write what the matter is.")
        raise ApplicationError(
            message, code=Code.TEXT_REQUIRED, extra={"fields": {"text": [message]}}
        )
    if len(text) > TEXT_LIMIT:
        message = _("At most %(n)d characters.") % {"n": TEXT_LIMIT}
        raise ApplicationError(
            message, code=Code.TEXT_TOO_LONG, extra={"fields": {"text": [message]}}
        )
    return text


def _digest(text: str) -> str:
    """The same words, whatever the spacing and letter case, give the same digest."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def _invalid(field_name: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=Code.INVALID, extra={"fields": {field_name: [message]}})


def _next_reference(prefix: str, year: int) -> str:
    """``PREFIX/YEAR/000123``: numbered per prefix and year without gaps (the counter's row is
    locked until the filing commits)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {CaseCounter._meta.db_table} (prefix, year, last) VALUES (%s, %s, 1)
            ON CONFLICT (prefix, year) DO UPDATE SET last = {CaseCounter._meta.db_table}.last + 1
            RETURNING last
            """,  # noqa: S608 - the table's name is the model's, not input
            [prefix, year],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}/{year}/{number:06d}"


@dataclass
class CaseDraft:
    """What a customer (or a manager for one) fills in to file a case."""

    kind: str
    subject: str
    text: str
    customer_id: int | None = None
    premises_id: int | None = None
    invoice_id: int | None = None
    place: str = ""
    urgency: str = ""
    change: dict[str, str] = field(default_factory=dict)
    contact_email: str = ""
    contact_phone: str = ""
    attachments: Sequence[UploadedFile] = ()
    current_password: str = ""


def _customer(actor: User, draft: CaseDraft, focus) -> Customer:
    scope = billing_selectors.scope_for(actor, focus=focus)
    if scope.customer_ids is None and draft.customer_id is not None:  # the office, for anyone
        return Customer.objects.get(pk=draft.customer_id)
    ids = scope.customer_ids or frozenset()
    if draft.customer_id is not None:
        if draft.customer_id not in ids:
            raise _invalid("customer", _("Choose one of your customers."))
        return Customer.objects.get(pk=draft.customer_id)
    if len(ids) == 1:
        return Customer.objects.get(pk=next(iter(ids)))
    message = _("Choose the customer the matter concerns.")
    raise ApplicationError(
        message, code=Code.CUSTOMER_REQUIRED, extra={"fields": {"customer": [message]}}
    )


def _premises(actor: User, customer: Customer, draft: CaseDraft, focus) -> Premises | None:
    """The premises a case is about: one of the customer's that the actor sees. A manager that
    covers only part of the customer's premises must name one (its case would otherwise be about
    premises it does not manage, and it could not see it)."""
    scope = billing_selectors.scope_for(actor, focus=focus)
    if draft.premises_id is None:
        covered = billing_selectors.fully_covered_customer_ids(scope)
        if covered is not None and customer.pk not in covered:
            raise _invalid("premises", _("Choose the premises the matter concerns."))
        return None
    held = LegalTitle.objects.filter(customer=customer, premises_id=draft.premises_id).exists()
    if not held or (scope.premises_ids is not None and draft.premises_id not in scope.premises_ids):
        raise _invalid("premises", _("Choose one of the premises listed."))
    return Premises.objects.get(pk=draft.premises_id)


def _invoice(
    actor: User, customer: Customer, draft: CaseDraft, focus, premises: Premises | None
) -> Invoice | None:
    """The invoice a complaint is about: the customer's, one the actor sees, and of the chosen
    premises when the invoice names premises (whoever sees the case must be allowed to see
    the invoice)."""
    if draft.invoice_id is None:
        return None
    invoice = billing_selectors.invoice_get(actor=actor, focus=focus, invoice_id=draft.invoice_id)
    if invoice is None or invoice.customer_id != customer.pk:
        raise _invalid("invoice", _("Choose one of your invoices."))
    if invoice.premises_id is not None and premises is not None:
        if invoice.premises_id != premises.pk:
            raise _invalid("invoice", _("This invoice is for other premises."))
    elif invoice.premises_id is not None:
        scope = billing_selectors.scope_for(actor, focus=focus)
        covered = billing_selectors.fully_covered_customer_ids(scope)
        if covered is not None and customer.pk not in covered:
            raise _invalid("premises", _("Choose the premises the matter concerns."))
    return invoice


def _change(actor: User, customer: Customer, draft: CaseDraft, focus) -> dict[str, str]:
    """A data change request: only a customer all of whose premises the actor sees may have
    one filed (seed E: a manager of some of them may not); fields that could hand the account
    over or redirect money need the account's password first."""
    changes = {k: v.strip() for k, v in draft.change.items() if isinstance(v, str) and v.strip()}
    if not changes:
        raise _invalid("change", _("Say what should change."))
    problems = customer_change_problems(changes)
    if problems:
        raise ApplicationError(
            next(iter(problems.values())),
            code=Code.INVALID,
            extra={"fields": {f"change.{k}": [v] for k, v in problems.items()}},
        )
    changes = {k: v for k, v in changes.items() if getattr(customer, k) != v}
    if not changes:
        raise ApplicationError(
            _("These are already the customer's data."),
            code=Code.NO_CHANGE,
            extra={"fields": {"change": [_("Nothing would change.")]}},
        )
    scope = billing_selectors.scope_for(actor, focus=focus)
    covered = billing_selectors.fully_covered_customer_ids(scope)
    if covered is not None and customer.pk not in covered:
        raise ApplicationError(
            _(
                "A change of the customer's data may be requested only by whoever manages all of "
                "the customer's premises."
            ),
            code=Code.NOT_ALL_PREMISES,
            status=403,
        )
    if any(CUSTOMER_CHANGEABLE[k] for k in changes):
        reauthenticate(user=actor, current_password=draft.current_password)
    return changes


def _portal_actor(actor: User) -> None:
    """Cases are filed, written to, closed, reopened and rated by a customer or a manager for
    one; the office answers through its own services (a message from staff is never recorded
    as the customer's)."""
    if actor.role not in (Role.CUSTOMER, Role.MANAGER):
        raise ApplicationError(_("Not allowed."), code=Code.NOT_STAFF, status=403)


def case_file(*, actor: User, draft: CaseDraft, focus=None) -> Case:
    """Files a case for one of the actor's customers: the kind must be offered, what it refers
    to must be the actor's to see, and a customer may file at most the tenant's number of cases
    a day and not the same text twice. The reference is numbered per kind and year; the
    deadline counts the kind's business days from today."""
    _portal_actor(actor)
    return _file(actor=actor, draft=draft, focus=focus)


def case_file_for_customer(*, actor: User, customer_id: int, draft: CaseDraft) -> Case:
    """The office files a case for a customer who came to the counter, called or wrote: the
    clerk's record of it is the first message (from the office, never as the customer's), the
    customer is told as after filing it themselves, and the case is theirs in the portal. A
    change of the customer's data is not filed this way (it needs the customer's password)."""
    if actor.role not in CASE_ROLES:
        raise ApplicationError(_("Not allowed."), code=CoreErrorCode.NOT_ALLOWED, status=403)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise _not_found()
    return _file(
        actor=actor, draft=dataclasses.replace(draft, customer_id=customer.pk), on_behalf=True
    )


def _contact_of(actor: User, customer: Customer, on_behalf: bool) -> str:
    """Whom the case's news goes to: the filer's address, or the customer's account's when the
    office files for them."""
    if on_behalf:
        return customer.user.email if customer.user else ""
    return actor.email


def _file(*, actor: User, draft: CaseDraft, focus=None, on_behalf: bool = False) -> Case:
    config = current_config()
    rules = config.correspondence
    kind = next((k for k in offered_kinds(config) if k.slug == draft.kind), None)
    if kind is None or (on_behalf and CaseField.CHANGE in kind.fields):
        raise _invalid("kind", _("Choose one of the kinds listed."))
    subject = (draft.subject or "").strip()[:200]
    text = _text(draft.text)
    if not subject:
        subject = text.splitlines()[0][:200]
    customer = _customer(actor, draft, focus)
    premises = (
        _premises(actor, customer, draft, focus) if CaseField.PREMISES in kind.fields else None
    )
    invoice = (
        _invoice(actor, customer, draft, focus, premises)
        if CaseField.INVOICE in kind.fields
        else None
    )
    change = _change(actor, customer, draft, focus) if CaseField.CHANGE in kind.fields else {}
    urgency = draft.urgency if CaseField.URGENCY in kind.fields else ""
    if urgency and urgency not in Case.Urgency.values:
        raise _invalid("urgency", _("Choose one of the values listed."))
    checked = attachments_check(draft.attachments, rules=rules)
    digest = _digest(text)
    with uploads.kept_files() as kept:
        stored = _store(checked, kept)
        with transaction.atomic():
            # One filing per customer at a time: the day's count and the repeat check hold.
            Customer.objects.select_for_update().filter(pk=customer.pk).first()
            now = timezone.now()
            today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            mine = Case.objects.filter(customer=customer)
            if mine.filter(created_at__gte=today_start).count() >= rules.daily_case_limit:
                raise Throttled(
                    retry_after=int((today_start + timedelta(days=1) - now).total_seconds())
                )
            if mine.filter(text_digest=digest, created_at__gte=now - REPEAT_WINDOW).exists():
                raise ApplicationError(
                    _("You have already sent this text; its case is in your list."),
                    code=Code.DUPLICATE_CASE,
                    status=409,
                )
            today = timezone.localdate()
            case = Case.objects.create(
                reference=_next_reference(kind.prefix, today.year),
                kind=kind.slug,
                customer=customer,
                premises=premises,
                invoice=invoice,
                subject=subject,
                place=(draft.place or "").strip()[:200] if CaseField.PLACE in kind.fields else "",
                urgency=urgency,
                change=change,
                contact_email=(
                    draft.contact_email
                    or (
                        (customer.user.email if customer.user else "") if on_behalf else actor.email
                    )
                    or customer.email
                ).strip(),
                contact_phone=(draft.contact_phone or customer.phone).strip(),
                created_by=actor,
                due_on=add_business_days(today, kind.answer_business_days),
                text_digest=digest,
            )
            _message(case, actor, text, stored, from_staff=on_behalf)
            _tell_customer(case, "case_received")
    return case


def _visible(actor: User, case_id: int, focus, *, lock: bool = False) -> Case:
    case = selectors.case_get(actor=actor, case_id=case_id, focus=focus)
    if case is None:
        raise _not_found()
    if lock:
        case = Case.objects.select_for_update().get(pk=case.pk)
    return case


def _store(checked, kept: list[str]) -> list[tuple[str, object, str]]:
    """Each checked file stored (before the rows are written, so no lock waits on storage):
    (path, file, name); ``kept`` (of ``uploads.kept_files``) learns each path at once."""
    stored = []
    for file, name in checked:
        path = uploads.store(file, folder="cases")
        kept.append(path)
        stored.append((path, file, name))
    return stored


def _message(case: Case, actor: User | None, body: str, stored, **values) -> CaseMessage:
    message = CaseMessage.objects.create(case=case, author=actor, body=body, **values)
    CaseAttachment.objects.bulk_create(
        CaseAttachment(
            message=message,
            path=path,
            name=name,
            content_type=file.content_type,
            size=file.upload.size or 0,
        )
        for path, file, name in stored
    )
    return message


def case_reply(
    *, actor: User, case_id: int, text: str, attachments: Sequence[UploadedFile] = (), focus=None
) -> CaseMessage:
    """The customer's message in an open case; a case waiting for the customer or answered goes
    back to the office (in progress). A closed case takes no message: reopen it first."""
    _portal_actor(actor)
    rules = current_config().correspondence
    body = _text(text)
    checked = attachments_check(attachments, rules=rules)
    if selectors.case_get(actor=actor, case_id=case_id, focus=focus) is None:
        raise _not_found()  # before any file is stored
    with uploads.kept_files() as kept:
        stored = _store(checked, kept)
        with transaction.atomic():
            case = _visible(actor, case_id, focus, lock=True)
            if case.status == CaseStatus.CLOSED:
                raise ApplicationError(
                    _("The case is closed. Reopen it to write again."),
                    code=Code.CASE_CLOSED,
                    status=409,
                )
            message = _message(case, actor, body, stored)
            if case.status in (CaseStatus.WAITING, CaseStatus.ANSWERED):
                _set_status(case, CaseStatus.IN_PROGRESS, actor=actor, from_staff=False)
            else:
                case.save(update_fields=["updated_at"])
    return message


def _set_status(case: Case, status: str, *, actor: User | None, from_staff: bool) -> None:
    now = timezone.now()
    case.status = status
    fields = ["status", "updated_at"]
    if status == CaseStatus.ANSWERED:
        case.answered_at = now
        fields.append("answered_at")
    if status == CaseStatus.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    case.save(update_fields=fields)
    change = CaseMessage.objects.create(
        case=case,
        author=actor,
        from_staff=from_staff,
        kind=CaseMessage.Kind.STATUS,
        status_to=status,
    )
    # An answer or a question is told with its text (case_answered); other moves by the office
    # are told as they happen.
    if from_staff and status not in (CaseStatus.ANSWERED, CaseStatus.WAITING):
        _tell_status(case, status, key=str(change.pk))


def _reopen(case: Case, *, actor: User, from_staff: bool) -> None:
    """A closed case open again: the kind's deadline counts from today, reminders start over,
    and the earlier rating goes (the next answer will be rated)."""
    kind = current_config().correspondence.kind(case.kind)
    business_days = kind.answer_business_days if kind else 14
    case.due_on = add_business_days(timezone.localdate(), business_days)
    case.closed_at = None
    case.reminder_sent_on = None
    case.rating = None
    case.rating_comment = ""
    case.save(
        update_fields=[
            "due_on",
            "closed_at",
            "reminder_sent_on",
            "rating",
            "rating_comment",
            "updated_at",
        ]
    )
    _set_status(case, CaseStatus.IN_PROGRESS, actor=actor, from_staff=from_staff)


def case_close(*, actor: User, case_id: int, focus=None) -> Case:
    """The customer closes its case (it is satisfied, or no longer needs it)."""
    _portal_actor(actor)
    with transaction.atomic():
        case = _visible(actor, case_id, focus, lock=True)
        if case.status == CaseStatus.CLOSED:
            raise ApplicationError(
                _("The case is already closed."), code=Code.TRANSITION_NOT_ALLOWED, status=409
            )
        _set_status(case, CaseStatus.CLOSED, actor=actor, from_staff=False)
    return case


def case_reopen(*, actor: User, case_id: int, focus=None) -> Case:
    """The customer reopens a closed case within the tenant's number of days; the office has
    the kind's deadline again from today."""
    _portal_actor(actor)
    days = current_config().correspondence.reopen_days
    with transaction.atomic():
        case = _visible(actor, case_id, focus, lock=True)
        if case.status != CaseStatus.CLOSED:
            raise ApplicationError(
                _("Only a closed case can be reopened."),
                code=Code.TRANSITION_NOT_ALLOWED,
                status=409,
            )
        if case.closed_at is None or timezone.now() - case.closed_at > timedelta(days=days):
            raise ApplicationError(
                _("A case can be reopened within %(n)d days of closing. File a new one.")
                % {"n": days},
                code=Code.REOPEN_EXPIRED,
                status=409,
            )
        _reopen(case, actor=actor, from_staff=False)
    return case


def case_rate(*, actor: User, case_id: int, rating: int, comment: str = "", focus=None) -> Case:
    """After closing, the customer rates the answer once (1 to 5) with an optional comment."""
    _portal_actor(actor)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise _invalid("rating", _("Choose from 1 to 5."))
    with transaction.atomic():
        case = _visible(actor, case_id, focus, lock=True)
        if case.status != CaseStatus.CLOSED:
            raise ApplicationError(
                _("A case can be rated once it is closed."),
                code=Code.TRANSITION_NOT_ALLOWED,
                status=409,
            )
        if case.rating is not None:
            raise ApplicationError(
                _("You have already rated this answer."), code=Code.ALREADY_RATED, status=409
            )
        case.rating = rating
        case.rating_comment = (comment or "").strip()[:500]
        case.save(update_fields=["rating", "rating_comment", "updated_at"])
    return case


# The office.


def _staff_case(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise _not_found()
    return case


def _open_case(case_id: int, message: str) -> Case:
    case = _staff_case(case_id)
    if case.status == CaseStatus.CLOSED:
        raise ApplicationError(message, code=Code.CASE_CLOSED, status=409)
    return case


def _answer(case: Case, *, actor: User, body: str, status: str, stored=()) -> CaseMessage:
    """The office's answer in a locked, open case: the message, the assignee (whoever answers
    first), the status, and the customer's e-mail."""
    message = _message(case, actor, body, stored, from_staff=True)
    if case.assigned_to_id is None:
        case.assigned_to = actor
        case.save(update_fields=["assigned_to", "updated_at"])
    _set_status(case, status, actor=actor, from_staff=True)
    _tell_customer(
        case,
        "case_answered" if status == CaseStatus.ANSWERED else "case_question",
        key=str(message.pk),
    )
    return message


def case_answer(
    *,
    actor: User,
    case_id: int,
    text: str,
    status: str = CaseStatus.ANSWERED,
    attachments: Sequence[UploadedFile] = (),
) -> CaseMessage:
    """The office answers (the case is answered) or asks the customer something (waiting for
    the customer); the customer is told by e-mail, in its language."""
    if status not in ANSWER_STATUSES:
        raise _invalid("status", _("Choose one of the values listed."))
    body = _text(text)
    checked = attachments_check(attachments, rules=current_config().correspondence)
    if not Case.objects.filter(pk=case_id).exists():
        raise _not_found()  # before any file is stored
    with uploads.kept_files() as kept:
        stored = _store(checked, kept)
        with transaction.atomic():
            case = _open_case(case_id, _("The case is closed. Reopen it to answer."))
            return _answer(case, actor=actor, body=body, status=status, stored=stored)


def case_note_add(
    *, actor: User, case_id: int, text: str, attachments: Sequence[UploadedFile] = ()
) -> CaseMessage:
    """An internal note among staff: never shown to the customer, in no customer's answer."""
    body = _text(text)
    checked = attachments_check(attachments, rules=current_config().correspondence)
    if not Case.objects.filter(pk=case_id).exists():
        raise _not_found()
    with uploads.kept_files() as kept:
        stored = _store(checked, kept)
        with transaction.atomic():
            case = _staff_case(case_id)
            message = _message(
                case, actor, body, stored, from_staff=True, kind=CaseMessage.Kind.NOTE
            )
            case.save(update_fields=["updated_at"])
    return message


def case_status_set(*, actor: User, case_id: int, status: str) -> Case:
    """A status change by the office along the workflow (STAFF_TRANSITIONS). Answered and
    waiting for the customer come with an answer or a question (``case_answer``), never bare;
    a closed case reopened has the kind's deadline again from today."""
    with transaction.atomic():
        case = _staff_case(case_id)
        if status not in STAFF_TRANSITIONS.get(case.status, frozenset()):
            raise ApplicationError(
                _("A case cannot go from “%(old)s” to “%(new)s”.")
                % {
                    "old": CaseStatus(case.status).label,
                    "new": CaseStatus(status).label if status in CaseStatus.values else status,
                },
                code=Code.TRANSITION_NOT_ALLOWED,
                status=409,
            )
        if case.status == CaseStatus.CLOSED:
            _reopen(case, actor=actor, from_staff=True)
        else:
            _set_status(case, status, actor=actor, from_staff=True)
    return case


def case_assign(*, actor: User, case_id: int, assignee_id: int | None) -> Case:
    """Gives the case to a member of staff (or to nobody)."""
    with transaction.atomic():
        case = _staff_case(case_id)
        if assignee_id is not None:
            assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
            if assignee is None or not assignee.is_tenant_staff:
                raise _invalid("assignee", _("Choose a member of staff."))
        case.assigned_to_id = assignee_id
        case.save(update_fields=["assigned_to", "updated_at"])
    return case


def case_change_accept(*, actor: User, case_id: int) -> Case:
    """Applies the data change a request asks for (billing's one write path of customer data),
    records what was and what is now in the case and answers it, all in one transaction; a
    closed (withdrawn) request changes nothing."""
    with transaction.atomic():
        case = _open_case(case_id, _("The request is closed: its change is not applied."))
        if not case.change:
            raise ApplicationError(
                _("This case asks for no change of data."), code=Code.NO_CHANGE, status=409
            )
        if case.change_applied_at is not None:
            raise ApplicationError(
                _("The change has already been applied."),
                code=Code.CHANGE_ALREADY_APPLIED,
                status=409,
            )
        applied = customer_data_change(customer_id=case.customer_id, changes=case.change)
        case.change_applied_at = timezone.now()
        case.save(update_fields=["change_applied_at", "updated_at"])
        lines = [
            f"{label}: {applied[name][0] or '—'} → {applied[name][1]}"
            for name, label in CHANGE_LABELS.items()
            if name in applied
        ]
        _message(
            case,
            actor,
            _("Data changed:") + "\n" + ("\n".join(lines) or _("nothing (already current)")),
            (),
            from_staff=True,
            kind=CaseMessage.Kind.NOTE,
        )
        user = case.customer.user
        with translation.override(recipient_language(user.language if user else "")):
            text = _("Your request has been accepted and your data have been changed.")
        _answer(case, actor=actor, body=text, status=CaseStatus.ANSWERED)
    return case


def case_status_check(*, address: str, reference: str = "", contact: str = "") -> Case | None:
    """The public status lookup's one rule for the page and the API alike: the case of this
    reference and contact (None for a wrong pair, an unknown reference or no valid input). Only
    what finds nothing counts against ``address``; once its window is used up even the right
    pair waits (429), so the limit cannot be probed around."""
    if throttling.exceeded("case_status_ip", address):
        raise Throttled(retry_after=throttling.LIMITS["case_status_ip"][1])
    found = (
        selectors.case_status_lookup(reference=reference, contact=contact)
        if reference and contact
        else None
    )
    if found is None:
        throttling.hit("case_status_ip", address)
    return found


# Messages to the customer, and the daily jobs.


def _case_link(case: Case, user: User | None) -> str:
    return tenant_base_url() + (
        reverse("correspondence_case", args=[case.pk]) if user else reverse("correspondence_status")
    )


def _case_values(case: Case) -> dict:
    return {
        "reference": case.reference,
        "kind": kind_name(case.kind),
        "subject": case.subject,
        "due_on": formats.date_format(case.due_on, "SHORT_DATE_FORMAT"),
    }


def _tell_customer(case: Case, template: str, *, key: str = "") -> None:
    """The office's answer or question: to the account by the channels its owner chose
    (``case_answered``), else an e-mail to the case's contact address, in the account's
    language (else the tenant's), with a link to the case (or to the public status page
    without an account). The confirmation of a new case always goes by e-mail."""
    user = case.customer.user if case.customer_id else None
    if user is not None and user.is_active and template != "case_received":
        told = notify(
            user=user,
            event="case_answered",
            key=key or template,
            link=_case_link(case, user),
            context=lambda: {**_case_values(case), "question": template == "case_question"},
        )
        if told or user.email:
            return
        # An account without an e-mail address (nor a chosen SMS): the case's own contact.
    if not case.contact_email:
        return
    language = recipient_language(user.language if user else "")
    with translation.override(language):
        email_enqueue(
            to=case.contact_email,
            template=template,
            language=language,
            context={**_case_values(case), "link": _case_link(case, user)},
        )


def _tell_status(case: Case, status: str, *, key: str) -> None:
    user = case.customer.user if case.customer_id else None
    if user is None or not user.is_active:
        return
    notify(
        user=user,
        event="case_status",
        key=key,
        link=_case_link(case, user),
        context=lambda: {**_case_values(case), "status": str(CaseStatus(status).label)},
    )


def cases_close_answered(*, now=None) -> int:
    """Answered cases the customer has not replied to within the tenant's number of days are
    closed (the customer may still reopen them)."""
    days = current_config().correspondence.close_answered_after_days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    closed = 0
    with transaction.atomic():
        for case in Case.objects.select_for_update(skip_locked=True).filter(
            status=CaseStatus.ANSWERED, answered_at__lt=cutoff
        ):
            _set_status(case, CaseStatus.CLOSED, actor=None, from_staff=True)
            closed += 1
    return closed


def case_reminders_send(*, today=None) -> int:
    """On business days, staff are told of open cases whose deadline is near (the tenant's
    business days ahead) or past, in one e-mail each: a case's assignee, or, for a case nobody
    has, every member of staff who answers cases. A case is in one day's e-mails once."""
    today = today or timezone.localdate()
    if not is_business_day(today):
        return 0
    ahead = current_config().correspondence.reminder_business_days
    horizon = add_business_days(today, ahead) if ahead else today
    with transaction.atomic():
        due = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=OPEN_STATUSES, due_on__lte=horizon)
            .exclude(reminder_sent_on=today)
            .select_related("assigned_to")
            .order_by("due_on", "id")
        )
        if not due:
            return 0
        answering = list(staff_with_permission("cases.answer").exclude(email=""))
        digests: dict[int, tuple[User, list[Case]]] = {}
        for case in due:
            assignee = case.assigned_to
            for user in [assignee] if assignee and assignee.email else answering:
                digests.setdefault(user.pk, (user, []))[1].append(case)
        base = tenant_base_url()

        def deadlines(cases: list[Case]) -> dict:
            return {
                "cases": [
                    {
                        "reference": c.reference,
                        "subject": c.subject,
                        "due_on": formats.date_format(c.due_on, "SHORT_DATE_FORMAT"),
                        "overdue": c.due_on < today,
                        "link": base + reverse("correspondence_office_case", args=[c.pk]),
                    }
                    for c in cases
                ],
                "link": base + reverse("correspondence_office_inbox"),
            }

        for user, cases in digests.values():
            email_to_user(user, template="case_deadlines", context=partial(deadlines, cases))
        Case.objects.filter(pk__in=[c.pk for c in due]).update(reminder_sent_on=today)
    return len(digests)


# Who answers cases at the office (the permission "cases.answer").
CASE_ROLES = frozenset({Role.CUSTOMER_SERVICE, Role.TECHNICIAN, Role.TENANT_ADMIN})
