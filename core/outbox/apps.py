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
                recipients=(_("the e-mail server and SMS provider the organisation uses"),),
                title=_("e-mails and text messages sent"),
            )
        )
