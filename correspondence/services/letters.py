"""Letters from the organisation: a text with an optional PDF, to one customer, a building's
customers or everyone; each account marks them read once."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.models import Building, Customer
from core import uploads
from core.errors import ApplicationError
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.models import Letter, LetterRead
from correspondence.selectors.letters import letter_get
from correspondence.services.documents import pdf_check
from identity.models import User


def letter_send(
    *,
    actor: User,
    subject: str,
    body: str,
    target: str,
    customer_id: int | None = None,
    building_id: int | None = None,
    pdf: UploadedFile | None = None,
) -> Letter:
    problems: dict[str, str] = {}
    if not subject.strip():
        problems["subject"] = _("The subject is required.")
    if not body.strip():
        problems["body"] = _("The text is required.")
    customer = building = None
    if target == Letter.Target.CUSTOMER:
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer is None:
            problems["customer"] = _("Choose the customer.")
    elif target == Letter.Target.BUILDING:
        building = Building.objects.filter(pk=building_id).first() if building_id else None
        if building is None:
            problems["building"] = _("Choose the building.")
    elif target != Letter.Target.EVERYONE:
        problems["target"] = _("Choose one of the values listed.")
    checked = None
    if pdf is not None and not problems:
        checked = pdf_check(pdf, field="pdf")
    if problems:
        raise ApplicationError(
            next(iter(problems.values())),
            code=Code.INVALID,
            extra={"fields": {k: [v] for k, v in problems.items()}},
        )
    path = uploads.store(checked, folder="letters") if checked else ""
    try:
        with transaction.atomic():
            return Letter.objects.create(
                subject=subject.strip()[:200],
                body=body.strip(),
                target=target,
                customer=customer,
                building=building,
                pdf_path=path,
                pdf_name=(
                    uploads.safe_name(pdf.name or "pismo", kind=checked.kind)
                    if pdf is not None and checked is not None
                    else ""
                ),
                sent_by=actor,
            )
    except BaseException:
        uploads.delete(path)
        raise


def letter_read(*, actor: User, letter_id: int, focus=None) -> Letter:
    """Marks the letter read for the actor's account (once; again is no change)."""
    letter = letter_get(actor=actor, letter_id=letter_id, focus=focus)
    if letter is None:
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
    try:
        with transaction.atomic():
            LetterRead.objects.get_or_create(letter=letter, user=actor)
    except IntegrityError:
        pass  # read at the same moment in another tab
    return letter
