from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "core.outbox"
    label = "outbox"
    verbose_name = "Outbox"
    # Every schema has its outbox: tenants' mail in their schema, signup/operator mail in public.
    schema = "both"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.outbox.models import Message
        from core.personal_data import (
            SENT_MESSAGES_1Y,
            Basis,
            Category,
            Erasure,
            Holding,
            declare,
        )

        declare(
            Holding(
                Message,
                categories=(Category.CONTACT, Category.NOTIFICATIONS),
                purpose=_("e-mail and SMS sent to the customer"),
                basis=Basis.CONTRACT,
                retention=SENT_MESSAGES_1Y,
                since="created_at",
                erasure=Erasure.ANONYMISE,
                anonymise=("recipient", "subject", "body_text", "body_html"),
                account=("user_id",),
                # most messages are sent to an address, not an account
                where=_sent_to,
                recipients=(_("the e-mail server and SMS provider the organisation uses"),),
                title=_("e-mails and text messages sent"),
            )
        )


def _sent_to(customer_ids, account_id):
    from django.db.models import Q  # noqa: PLC0415 - an app module loads before models

    from core.personal_data import addresses_of  # noqa: PLC0415

    # Sent to one of the person's addresses and to no other account (a household may share an
    # address: another account's messages are that account's).
    return Q(recipient__in=sorted(addresses_of(customer_ids, account_id))) & (
        Q(user_id__isnull=True) | Q(user_id=account_id)
    )
