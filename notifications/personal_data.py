"""What notifications holds of a person (core.personal_data): the channels chosen per event,
their history, and the items waiting for a daily digest. Declared from
NotificationsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from core.personal_data import (
    CONSENT_PROOF,
    WHILE_CUSTOMER,
    Basis,
    Category,
    Erasure,
    Holding,
    Mention,
    declare,
    entitle,
)
from notifications import models

CHOICES = _("notifying the customer by the channels they chose")


def register() -> None:
    def chosen(model, **kw):
        kw.setdefault("retention", WHILE_CUSTOMER)
        kw.setdefault("erasure", Erasure.DELETE)
        kw.setdefault("basis", Basis.CONSENT)
        return Holding(
            model,
            categories=(Category.NOTIFICATIONS,),
            purpose=CHOICES,
            account=("user",),
            **kw,
        )

    declare(
        chosen(models.Preference),
        chosen(models.DigestChoice),
        chosen(models.DigestItem),
        # Proof of what the customer chose when (consent given and withdrawn).
        chosen(
            models.PreferenceChange,
            basis=Basis.LEGAL_OBLIGATION,
            retention=CONSENT_PROOF,
            erasure=Erasure.KEEP,
        ),
        Mention(models.PreferenceChange, ("actor",)),
        Mention(models.SmsAccount, ("updated_by",)),
    )
    entitle(
        {
            models.Preference: _("notice channels chosen per event"),
            models.DigestChoice: _("daily digest choice"),
            models.DigestItem: _("notices waiting for the daily digest"),
            models.PreferenceChange: _("history of notice choices"),
        }
    )
