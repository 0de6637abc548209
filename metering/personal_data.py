"""What metering holds of a person (core.personal_data): the meters of their premises and the
readings taken of them. A meter's rows belong to whoever holds the premises (or the contract of
its service point); readings are kept as the basis of the invoices. Declared from
MeteringConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from core.personal_data import (
    ACCOUNTING,
    WHILE_CUSTOMER,
    Basis,
    Category,
    Erasure,
    Holding,
    Mention,
    declare,
    entitle,
)
from metering import models

PREMISES = "premises__legal_titles__customer"
CONTRACT = "service_point__contract__customer"
PURPOSE = _("billing by consumption: meters and their readings")


def register() -> None:
    def of_meter(model, prefix, **kw):
        kw.setdefault("retention", WHILE_CUSTOMER)
        kw.setdefault("basis", Basis.CONTRACT)
        return Holding(
            model,
            categories=(Category.CONSUMPTION,),
            purpose=PURPOSE,
            erasure=Erasure.KEEP,
            customer=(f"{prefix}{PREMISES}", f"{prefix}{CONTRACT}"),
            **kw,
        )

    declare(
        of_meter(models.Meter, ""),
        of_meter(models.Register, "meter__"),
        of_meter(
            models.Reading,
            "register__meter__",
            account=("submitted_by",),
            basis=Basis.LEGAL_OBLIGATION,
            retention=ACCOUNTING,
            since="read_at",
        ),
        Mention(models.Reading, ("reviewed_by",)),
        of_meter(models.MeterAlert, "meter__"),
        Mention(models.MeterAlert, ("resolved_by",)),
        Mention(models.ReadingWindow, ("created_by",)),
    )
    entitle(
        {
            models.Meter: _("meters"),
            models.Register: _("meter registers"),
            models.Reading: _("readings (with photos sent)"),
            models.MeterAlert: _("meter alerts (leaks, faults)"),
        }
    )
