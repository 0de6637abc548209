"""What metering holds of a person (core.personal_data): the meters of their premises and the
readings taken of them. A meter's rows belong to whoever holds the premises (or the contract of
its service point); readings are kept as the basis of the invoices. Declared from
MeteringConfig.ready()."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from billing.models import Contract, LegalTitle
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


def _held_when(meter: str, day: str):
    """Rows of a meter on a day the customer held its flat (a legal title) or its service
    point's contract: a new owner's copy never holds the previous owner's readings, as the
    portal never shows them."""

    def where(customer_ids, account_id):
        if not customer_ids:
            return Q(pk__in=[])
        on = OuterRef(day)
        titles = LegalTitle.objects.filter(
            customer_id__in=customer_ids, premises_id=OuterRef(f"{meter}__premises_id")
        ).filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        contracts = Contract.objects.filter(
            customer_id__in=customer_ids,
            service_points__id=OuterRef(f"{meter}__service_point_id"),
        ).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )
        return Q(Exists(titles)) | Q(Exists(contracts))

    return where


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
        Holding(
            models.Reading,
            categories=(Category.CONSUMPTION,),
            purpose=PURPOSE,
            basis=Basis.LEGAL_OBLIGATION,
            retention=ACCOUNTING,
            since="read_at",
            erasure=Erasure.KEEP,
            account=("submitted_by",),
            where=_held_when("register__meter", "read_at__date"),
            # they are the basis of the invoices the ERP keeps, and the next reading is measured
            # from the last: the ERP's accounts decide, not the portal's calendar
            expires_here=False,
        ),
        Mention(models.Reading, ("reviewed_by",)),
        Holding(
            models.MeterAlert,
            categories=(Category.CONSUMPTION,),
            purpose=PURPOSE,
            basis=Basis.CONTRACT,
            retention=WHILE_CUSTOMER,
            erasure=Erasure.KEEP,
            where=_held_when("meter", "detected_on"),
        ),
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
