"""Online payment, end to end with one gateway's protocol: the tenant's merchant account, a
payment started for chosen invoices (or an amount), and the gateway's notification booked
exactly once, after the gateway has verified it."""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing import selectors as billing_selectors
from billing.models import Customer
from core.errors import ApplicationError
from core.http import tenant_base_url
from core.outbox.services import email_enqueue, recipient_language
from identity.models import User
from identity.permissions import staff_with_permission
from identity.selectors import current_config
from identity.twofactor.sealing import seal, unseal
from payments.errors import PaymentsErrorCode as Code
from payments.gateways import przelewy24
from payments.models import Gateway, GatewayAccount, Notification, Payment, PaymentAllocation
from tenants.policies import Module

logger = logging.getLogger(__name__)

# The most one online payment may be (a typo of a few zeros stops here, not at the bank).
MAX_GROSZE = 10_000_000  # 100,000.00 PLN


def gateway_account_save(
    *,
    gateway: str,
    merchant_id: int,
    pos_id: int,
    api_key: str,
    crc: str,
    sandbox: bool = True,
    base_url: str = "",
    enabled: bool = True,
) -> GatewayAccount:
    """The tenant's merchant account with ``gateway``; its secrets sealed at rest."""
    if gateway not in Gateway.values:
        raise ApplicationError(_("Choose one of the values listed."), code=Code.NOT_OFFERED)
    secrets = seal(json.dumps({"api_key": api_key, "crc": crc}).encode())
    account, _created = GatewayAccount.objects.update_or_create(
        gateway=gateway,
        defaults={
            "merchant_id": merchant_id,
            "pos_id": pos_id,
            "sealed_secrets": secrets,
            "sandbox": sandbox,
            "base_url": base_url,
            "enabled": enabled,
        },
    )
    return account


def client_for(account: GatewayAccount) -> przelewy24.Przelewy24:
    secrets = json.loads(unseal(account.sealed_secrets))
    default = przelewy24.SANDBOX if account.sandbox else przelewy24.PRODUCTION
    return przelewy24.Przelewy24(
        przelewy24.Credentials(
            merchant_id=account.merchant_id,
            pos_id=account.pos_id,
            api_key=secrets["api_key"],
            crc=secrets["crc"],
            base_url=account.base_url or default,
        )
    )


def _grosze(value) -> int:
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise _invalid_amount() from exc
    if not amount.is_finite() or amount <= 0:
        raise _invalid_amount()
    grosze = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if amount * 100 != grosze or grosze > MAX_GROSZE:
        raise _invalid_amount()
    return grosze


def _invalid_amount() -> ApplicationError:
    message = _("Enter an amount from 0.01 to 100,000.00 PLN, with at most two decimals.")
    return ApplicationError(
        message, code=Code.INVALID_AMOUNT, extra={"fields": {"amount": [message]}}
    )


def enabled_account() -> GatewayAccount | None:
    """The merchant account the tenant takes payments through now (None: none enabled)."""
    return GatewayAccount.objects.filter(enabled=True).order_by("gateway").first()


def gateway_origin() -> str | None:
    """The origin of the enabled gateway's payment pages (where the pay form leads)."""
    account = enabled_account()
    if account is None:
        return None
    url = urlsplit(client_for(account).redirect_url("x"))
    return f"{url.scheme}://{url.netloc}"


def payments_ready() -> bool:
    """Whether this tenant takes online payments now: the module on and a merchant account
    enabled."""
    return (
        current_config().has_module(Module.ONLINE_PAYMENTS)
        and GatewayAccount.objects.filter(enabled=True).exists()
    )


def _account() -> GatewayAccount:
    account = enabled_account()
    if not current_config().has_module(Module.ONLINE_PAYMENTS) or account is None:
        raise ApplicationError(
            _("Online payments are not available."), code=Code.NOT_OFFERED, status=404
        )
    return account


def payment_start(
    *,
    actor: User,
    invoice_ids: list[int] | None = None,
    amount: object = None,
    customer_id: int | None = None,
    focus=None,
) -> tuple[Payment, str]:
    """A payment of the chosen invoices' outstanding amounts (all of one customer the actor
    sees), or of an amount for one of its customers; registered with the gateway. Returns the
    payment and the address to send the customer to. Nothing is paid until the gateway's
    notification is verified."""
    account = _account()
    allocations: list[tuple[int, int]] = []
    if invoice_ids:
        invoices = list(
            billing_selectors.unpaid_invoices(actor=actor, focus=focus).filter(pk__in=invoice_ids)
        )
        customers = {i.customer_id for i in invoices}
        if len(invoices) != len(set(invoice_ids)) or len(customers) != 1:
            raise ApplicationError(
                _("Choose unpaid invoices of one customer."),
                code=Code.INVOICES_NOT_PAYABLE,
                extra={"fields": {"invoice_ids": [_("Choose unpaid invoices of one customer.")]}},
            )
        customer = Customer.objects.get(pk=customers.pop())
        allocations = [(i.pk, _grosze(i.gross - i.paid)) for i in invoices]
        grosze = sum(g for _pk, g in allocations)
    else:
        grosze = _grosze(amount)
        scope = billing_selectors.scope_for(actor, focus=focus)
        covered = billing_selectors.fully_covered_customer_ids(scope)
        ids = scope.customer_ids or frozenset()
        if covered is not None:
            ids = ids & covered  # a manager pays a balance only where it covers it all
        chosen = (
            customer_id if customer_id is not None else (next(iter(ids)) if len(ids) == 1 else None)
        )
        if chosen is None or chosen not in ids:
            message = _("Choose the customer the payment is for.")
            raise ApplicationError(
                message, code=Code.CUSTOMER_REQUIRED, extra={"fields": {"customer": [message]}}
            )
        customer = Customer.objects.get(pk=chosen)
    if grosze > MAX_GROSZE:
        raise _invalid_amount()
    with transaction.atomic():
        payment = Payment.objects.create(
            gateway=account.gateway,
            customer=customer,
            started_by=actor,
            amount_grosze=grosze,
            title=_("Payment %(symbol)s") % {"symbol": customer.symbol},
        )
        PaymentAllocation.objects.bulk_create(
            PaymentAllocation(payment=payment, invoice_id=pk, amount_grosze=g)
            for pk, g in allocations
        )
    base = tenant_base_url()
    client = client_for(account)
    try:
        token = client.register(
            session_id=str(payment.public_id),
            amount=grosze,
            currency=payment.currency,
            description=payment.title,
            email=actor.email or customer.email,
            language=translation.get_language() or "pl",
            return_url=base + reverse("payments_return", args=[payment.public_id]),
            status_url=base
            + reverse("api-payment-notify", args=[account.gateway, payment.public_id]),
        )
    except (przelewy24.GatewayUnavailable, przelewy24.Refused) as exc:
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
        logger.warning("payment %s: the gateway did not register it (%s)", payment.pk, exc)
        raise ApplicationError(
            _("The payment service does not answer now. Try again in a while."),
            code=Code.GATEWAY_UNAVAILABLE,
            status=503,
        ) from exc
    Payment.objects.filter(pk=payment.pk).update(token=token)
    payment.token = token
    return payment, client.redirect_url(token)


def _refused(gateway: str, payment: Payment | None, reason: str, remote: str | None) -> int:
    Notification.objects.create(
        gateway=gateway,
        payment=payment,
        outcome=Notification.Outcome.REFUSED,
        reason=reason[:200],
        remote_address=remote,
    )
    logger.warning("refused %s notification: %s", gateway, reason)
    return 400


def notification_receive(*, gateway: str, public_id: str, raw: bytes, remote: str | None) -> int:
    """A gateway's notification of ``public_id``, posted to this tenant's notify URL: checked
    with this tenant's key, verified with the gateway, booked once. Returns the HTTP status to
    answer: 200 when booked (or booked before), 400 when refused (logged for staff), 503 when
    the gateway cannot verify now (it notifies again)."""
    account = GatewayAccount.objects.filter(gateway=gateway, enabled=True).first()
    payment = Payment.objects.filter(public_id=public_id, gateway=gateway).first()
    if account is None or payment is None:
        return _refused(gateway, None, "no such payment or account here", remote)
    try:
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return _refused(gateway, payment, "the body is not a JSON object", remote)
    client = client_for(account)
    try:
        notice = client.notification(body)
    except przelewy24.Refused as exc:
        return _refused(gateway, payment, str(exc), remote)
    if (
        notice.session_id != str(payment.public_id)
        or notice.amount != payment.amount_grosze
        or notice.currency != payment.currency
    ):
        return _refused(gateway, payment, "the amount, currency or session differs", remote)
    if payment.status == Payment.Status.COMPLETED:
        return _booked_before(payment, notice, remote)
    try:
        client.verify(
            session_id=notice.session_id,
            order_id=notice.order_id,
            amount=notice.amount,
            currency=notice.currency,
        )
    except przelewy24.GatewayUnavailable:
        logger.warning("payment %s: verify did not answer; it stays pending", payment.pk)
        return 503
    except przelewy24.Refused as exc:
        return _refused(gateway, payment, f"verify: {exc}", remote)
    return _book(payment, notice, remote)


def payments_reconcile(*, older_than_minutes: int = 15, give_up_after_hours: int = 24) -> dict:
    """Payments pending longer than ``older_than_minutes`` (their notification lost or late):
    the gateway is asked what it knows. Paid: verified if need be and booked, as a notification
    would; nothing paid after ``give_up_after_hours``: not paid. A gateway that does not answer
    leaves them pending for the next run: never a second charge."""
    now = timezone.now()
    counts = {"booked": 0, "failed": 0, "pending": 0}
    account = enabled_account()
    if account is None:
        return counts
    client = client_for(account)
    pending = Payment.objects.filter(
        status=Payment.Status.PENDING,
        gateway=account.gateway,
        created_at__lt=now - timedelta(minutes=older_than_minutes),
    ).order_by("created_at")[:200]
    for payment in pending:
        try:
            known = client.transaction(str(payment.public_id))
            if known is not None and known[0] in (1, 2):
                status, notice = known
                if notice.amount != payment.amount_grosze or notice.currency != payment.currency:
                    _refused(payment.gateway, payment, "the gateway's amount differs", None)
                    counts["pending"] += 1
                    continue
                if status == 1:
                    client.verify(
                        session_id=notice.session_id,
                        order_id=notice.order_id,
                        amount=notice.amount,
                        currency=notice.currency,
                    )
                counts["booked" if _book(payment, notice, None) == 200 else "pending"] += 1
                continue
        except (przelewy24.GatewayUnavailable, przelewy24.Refused):
            counts["pending"] += 1
            continue
        if payment.created_at < now - timedelta(hours=give_up_after_hours):
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
                status=Payment.Status.FAILED
            )
            counts["failed"] += 1
        else:
            counts["pending"] += 1
    return counts


def payments_daily_report(*, day=None) -> int:
    """Yesterday's online payments for staff, one e-mail each: booked (how many, how much),
    not paid, refused notifications, and what is still pending. Nothing on a day without any of
    them. Returns the e-mails queued."""
    day = day or timezone.localdate() - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    booked = Payment.objects.filter(
        status=Payment.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end
    )
    figures = {
        "booked": booked.count(),
        "booked_grosze": booked.aggregate(total=Sum("amount_grosze"))["total"] or 0,
        "failed": Payment.objects.filter(
            status=Payment.Status.FAILED, created_at__gte=start, created_at__lt=end
        ).count(),
        "refused": Notification.objects.filter(
            outcome=Notification.Outcome.REFUSED, received_at__gte=start, received_at__lt=end
        ).count(),
        "pending": Payment.objects.filter(
            status=Payment.Status.PENDING, created_at__lt=end
        ).count(),
    }
    if not any(figures.values()):
        return 0
    sent = 0
    link = tenant_base_url() + reverse("payments_office_list")
    for user in staff_with_permission("payments.view").exclude(email=""):
        language = recipient_language(user.language)
        with translation.override(language):
            email_enqueue(
                to=user.email,
                template="payments_daily",
                language=language,
                context={
                    **figures,
                    "booked_amount": f"{Decimal(figures['booked_grosze']) / 100:.2f}".replace(
                        ".", ","
                    ),
                    "day": day.strftime("%d.%m.%Y"),
                    "link": link,
                },
            )
        sent += 1
    return sent


def _booked_before(payment: Payment, notice, remote) -> int:
    if payment.provider_transaction_id != str(notice.order_id):
        return _refused(payment.gateway, payment, "another transaction for a paid payment", remote)
    Notification.objects.create(
        gateway=payment.gateway,
        payment=payment,
        outcome=Notification.Outcome.ALREADY_BOOKED,
        remote_address=remote,
    )
    return 200


def _book(payment: Payment, notice, remote) -> int:
    """Pending → completed, once: the row is locked, a second notification finds it done."""
    try:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == Payment.Status.COMPLETED:
                return _booked_before(locked, notice, remote)
            if locked.status != Payment.Status.PENDING:
                return _refused(locked.gateway, locked, "the payment is no longer pending", remote)
            locked.status = Payment.Status.COMPLETED
            locked.provider_transaction_id = str(notice.order_id)
            locked.method = str(notice.method_id)
            locked.completed_at = timezone.now()
            locked.save(
                update_fields=["status", "provider_transaction_id", "method", "completed_at"]
            )
            Notification.objects.create(
                gateway=locked.gateway,
                payment=locked,
                outcome=Notification.Outcome.BOOKED,
                remote_address=remote,
            )
            _receipt(locked)
    except IntegrityError:
        return _refused(payment.gateway, payment, "the transaction booked another payment", remote)
    return 200


def _receipt(payment: Payment) -> None:
    user = payment.started_by
    to = (user.email if user else "") or payment.customer.email
    if not to:
        return
    language = recipient_language(user.language if user else "")
    with translation.override(language):
        email_enqueue(
            to=to,
            template="payment_received",
            language=language,
            context={
                "amount": f"{payment.amount:.2f}".replace(".", ","),
                "title": payment.title,
                "link": tenant_base_url() + reverse("payments_return", args=[payment.public_id]),
            },
        )
