"""What correspondence holds of a person (core.personal_data): their cases with messages and
attachments, and letters addressed to them. Declared from CorrespondenceConfig.ready()."""

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from core.personal_data import (
    CLAIMS_6Y,
    WHILE_CUSTOMER,
    Basis,
    Category,
    Erasure,
    Holding,
    Mention,
    declare,
    entitle,
    register_files,
    register_stored_files,
)
from core.uploads import safe_name
from correspondence import models

CASES = _("handling the customer's complaints, failure reports and requests")


def register() -> None:
    def case_part(model, customer, **kw):
        kw.setdefault("erasure", Erasure.KEEP)
        return Holding(
            model,
            categories=(Category.CORRESPONDENCE,),
            purpose=CASES,
            # kept after the account for claims: a complaint's answer is evidence
            basis=Basis.LEGITIMATE_INTEREST,
            retention=CLAIMS_6Y,
            customer=customer,
            **kw,
        )

    declare(
        case_part(
            models.Case,
            ("customer",),
            account=("created_by",),
            # evidence for six years after the case is closed; an open case is never due
            since="closed_at",
            expires_only={"closed_at__isnull": False},
            # the case stays as evidence; how to reach its author does not
            erasure=Erasure.ANONYMISE,
            anonymise=("contact_email", "contact_phone"),
        ),
        Mention(models.Case, ("assigned_to",)),
        case_part(
            models.CaseMessage,
            ("case__customer",),
            account=("author",),
            since="case__closed_at",
            expires_only={"case__closed_at__isnull": False},
        ),
        case_part(
            models.CaseAttachment,
            ("message__case__customer",),
            since="message__case__closed_at",
            expires_only={"message__case__closed_at__isnull": False},
        ),
        Holding(
            models.Letter,
            categories=(Category.CORRESPONDENCE,),
            purpose=_("letters from the organisation to the customer"),
            basis=Basis.CONTRACT,
            retention=WHILE_CUSTOMER,
            erasure=Erasure.KEEP,
            customer=("customer",),
        ),
        Mention(models.Letter, ("sent_by",)),
        Holding(
            models.LetterRead,
            categories=(Category.ACTIVITY,),
            purpose=_("showing which letters the customer has read"),
            basis=Basis.CONTRACT,
            retention=WHILE_CUSTOMER,
            erasure=Erasure.DELETE,
            account=("user",),
        ),
        Mention(models.Announcement, ("published_by",)),
        Mention(models.DocumentVersion, ("uploaded_by",)),
    )
    register_files(models.CaseAttachment, _attachments)
    register_stored_files(models.CaseAttachment, lambda rows: rows.values_list("path", flat=True))
    entitle(
        {
            models.Case: _("cases: complaints, failure reports, requests"),
            models.CaseMessage: _("messages in cases"),
            models.CaseAttachment: _("attachments to cases"),
            models.Letter: _("letters to the customer"),
            models.LetterRead: _("letters read"),
        }
    )


def _attachments(rows):
    """The files sent with the person's cases (by them and by the office)."""
    for attachment in rows:
        try:
            with default_storage.open(attachment.path, "rb") as stored:
                data = stored.read()
        except OSError:
            continue  # a file lost from the storage: the row (its name, size) is in the JSON
        yield f"{attachment.pk}-{safe_name(attachment.name)}", data
