"""What payments holds of a person (core.personal_data): online payments, what they paid and
the gateways' notices about them. Declared from PaymentsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from core.personal_data import ACCOUNTING, Basis, Category, Erasure, Holding, declare, entitle
from payments import models

GATEWAY = _("the payment gateway chosen by the organisation (as processor)")


def register() -> None:
    def ledger(model, customer, since, **kw):
        return Holding(
            model,
            categories=(Category.FINANCIAL,),
            purpose=_("online payments of invoices"),
            basis=Basis.LEGAL_OBLIGATION,
            retention=ACCOUNTING,
            since=since,
            erasure=Erasure.KEEP,
            customer=customer,
            recipients=(GATEWAY,),
            expires_here=False,
            **kw,
        )

    declare(
        ledger(
            models.Payment, ("customer",), "created_at", account=("started_by",), secret=("token",)
        ),
        ledger(models.PaymentAllocation, ("payment__customer",), "payment__created_at"),
        ledger(models.Notification, ("payment__customer",), "received_at"),
    )
    entitle(
        {
            models.Payment: _("online payments"),
            models.PaymentAllocation: _("invoices paid online"),
            models.Notification: _("payment gateways' notices"),
        }
    )
