"""Online payment, end to end, with each gateway's own protocol: the tenant's merchant accounts,
a payment started for chosen invoices (or an amount), and the gateways' notifications booked
exactly once, after the gateway has confirmed them where its protocol asks for it."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from billing import selectors as billing_selectors
from billing.models import Customer
from core.errors import ApplicationError
from core.http import tenant_base_url
from core.outbox.services import email_enqueue, email_to_user, recipient_language
from core.sealing import seal, unseal
from identity.models import User
from identity.permissions import staff_with_permission
from identity.selectors import current_config
from payments import selectors
from payments.errors import PaymentsErrorCode as Code
from payments.gateways import autopay, payu, przelewy24
from payments.gateways.base import Gateway as GatewayClient
from payments.gateways.base import (
    GatewayUnavailable,
    Notice,
    Order,
    Refused,
    Reply,
    State,
)
from payments.models import Gateway, GatewayAccount, Notification, Payment, PaymentAllocation
from tenants.policies import Module

logger = logging.getLogger(__name__)

# The most one online payment may be (a typo of a few zeros stops here, not at the bank).
MAX_GROSZE = 10_000_000  # 100,000.00 PLN
BLIK_POS = "blik"  # Payment.point_of_sale of an order placed with PayU's BLIK point of sale

# The keys each gateway's account must have (kept sealed, with any others it was given).
SECRETS: dict[str, tuple[str, ...]] = {
    Gateway.PRZELEWY24: ("api_key", "crc"),
    Gateway.PAYU: ("client_id", "client_secret", "second_key"),
    Gateway.AUTOPAY: ("shared_key",),
}
PAYU_BLIK_SECRETS = ("blik_client_id", "blik_client_secret", "blik_second_key")


def gateway_account_save(
    *,
    gateway: str,
    merchant_id: int,
    secrets: dict[str, str],
    pos_id: int = 0,
    options: dict | None = None,
    sandbox: bool = True,
    base_url: str = "",
    enabled: bool = True,
) -> GatewayAccount:
    """The tenant's merchant account with ``gateway``; its secrets sealed at rest."""
    if gateway not in Gateway.values or any(not secrets.get(k) for k in SECRETS[gateway]):
        raise ApplicationError(_("Choose one of the values listed."), code=Code.NOT_OFFERED)
    kept = {k: str(v) for k, v in secrets.items() if v}
    account, _created = GatewayAccount.objects.update_or_create(
        gateway=gateway,
        defaults={
            "merchant_id": merchant_id,
            "pos_id": pos_id,
            "options": options or {},
            "sealed_secrets": seal(json.dumps(kept).encode()),
            "sandbox": sandbox,
            "base_url": base_url,
            "enabled": enabled,
        },
    )
    return account


def _przelewy24(account: GatewayAccount, secrets: dict, point_of_sale: str) -> GatewayClient:
    default = przelewy24.SANDBOX if account.sandbox else przelewy24.PRODUCTION
    return przelewy24.Przelewy24(
        przelewy24.Credentials(
            merchant_id=account.merchant_id,
            pos_id=account.pos_id or account.merchant_id,
            api_key=secrets["api_key"],
            crc=secrets["crc"],
            base_url=account.base_url or default,
        )
    )


def _payu(account: GatewayAccount, secrets: dict, point_of_sale: str) -> GatewayClient:
    """The account's point of sale, or its BLIK one (its own OAuth client and second key)."""
    blik = point_of_sale == BLIK_POS
    prefix = "blik_" if blik else ""
    has_blik_pos = bool(account.pos_id) and all(secrets.get(k) for k in PAYU_BLIK_SECRETS)
    if blik and not has_blik_pos:
        raise GatewayUnavailable("no BLIK point of sale")
    return payu.PayU(
        payu.Credentials(
            pos_id=account.pos_id if blik else account.merchant_id,
            client_id=secrets[prefix + "client_id"],
            client_secret=secrets[prefix + "client_secret"],
            second_key=secrets[prefix + "second_key"],
            algorithm=account.options.get("algorithm") or "SHA-256",
            base_url=account.base_url or (payu.SANDBOX if account.sandbox else payu.PRODUCTION),
        ),
        cache,  # the tenant's own key space (django_tenants' key function)
        takes_blik_code=has_blik_pos,
    )


def _autopay(account: GatewayAccount, secrets: dict, point_of_sale: str) -> GatewayClient:
    default = autopay.SANDBOX if account.sandbox else autopay.PRODUCTION
    return autopay.Autopay(
        autopay.Credentials(
            service_id=account.merchant_id,
            shared_key=secrets["shared_key"],
            algorithm=account.options.get("algorithm") or "sha256",
            base_url=account.base_url or default,
        )
    )


CLIENTS: dict[str, Callable[[GatewayAccount, dict, str], GatewayClient]] = {
    Gateway.PRZELEWY24: _przelewy24,
    Gateway.PAYU: _payu,
    Gateway.AUTOPAY: _autopay,
}


def client_for(account: GatewayAccount, point_of_sale: str = "") -> GatewayClient:
    """The client of the account's gateway, with its unsealed keys."""
    secrets = json.loads(unseal(account.sealed_secrets))
    return CLIENTS[account.gateway](account, secrets, point_of_sale)


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


def enabled_accounts() -> list[GatewayAccount]:
    """The merchant accounts the tenant takes payments through now, in the gateways' order."""
    order = {g: n for n, g in enumerate(Gateway.values)}
    return sorted(GatewayAccount.objects.filter(enabled=True), key=lambda a: order[a.gateway])


def enabled_clients() -> list[tuple[str, GatewayClient]]:
    """Each enabled account's gateway and client, in the gateways' order (one query; the keys
    unsealed once, for a page that asks several things of them)."""
    return [(a.gateway, client_for(a)) for a in enabled_accounts()]


def gateway_origins(clients: list[tuple[str, GatewayClient]]) -> list[str]:
    """The origins of these gateways' payment pages (where the pay form leads)."""
    origins: list[str] = []
    for _gateway, client in clients:
        origins += [o for o in client.page_origins() if o not in origins]
    return origins


def blik_code_gateways(clients: list[tuple[str, GatewayClient]]) -> list[str]:
    """Those of these gateways through which a BLIK code typed on our page pays."""
    return [gateway for gateway, client in clients if client.takes_blik_code]


def payments_ready() -> bool:
    """Whether this tenant takes online payments now: the module on and a merchant account
    enabled."""
    return (
        current_config().has_module(Module.ONLINE_PAYMENTS)
        and GatewayAccount.objects.filter(enabled=True).exists()
    )


def _account(gateway: str | None) -> GatewayAccount:
    accounts = enabled_accounts() if current_config().has_module(Module.ONLINE_PAYMENTS) else []
    if gateway:
        accounts = [a for a in accounts if a.gateway == gateway]
    if not accounts:
        raise ApplicationError(
            _("Online payments are not available."), code=Code.NOT_OFFERED, status=404
        )
    return accounts[0]


def _blik_code(code: str) -> str:
    code = (code or "").strip().replace(" ", "")
    if code and not (len(code) == 6 and code.isdigit()):
        message = _("A BLIK code has six digits.")
        raise ApplicationError(
            message, code=Code.INVALID_BLIK_CODE, extra={"fields": {"blik_code": [message]}}
        )
    return code


def payment_start(
    *,
    actor: User,
    invoice_ids: list[int] | None = None,
    amount: object = None,
    customer_id: int | None = None,
    focus=None,
    gateway: str | None = None,
    blik_code: str = "",
    customer_ip: str = "127.0.0.1",
    user_agent: str = "",
) -> tuple[Payment, str | None]:
    """A payment of the chosen invoices' outstanding amounts (all of one customer the actor
    sees), or of an amount for one of its customers; registered with the gateway (the first
    enabled, unless one is chosen). Returns the payment and the address to send the customer to
    (None: a BLIK code typed here, confirmed in the bank's app). Nothing is paid until the
    gateway's notification is checked."""
    account = _account(gateway)
    blik_code = _blik_code(blik_code)
    point_of_sale = ""
    if blik_code:
        if not client_for(account).takes_blik_code:
            message = _("A BLIK code cannot be typed here for this payment service.")
            raise ApplicationError(
                message, code=Code.INVALID_BLIK_CODE, extra={"fields": {"blik_code": [message]}}
            )
        point_of_sale = BLIK_POS if account.gateway == Gateway.PAYU else ""
    allocations: list[tuple[int, int]] = []
    if invoice_ids:
        invoices = list(
            selectors.payable_invoices(actor=actor, focus=focus).filter(pk__in=invoice_ids)
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
            point_of_sale=point_of_sale,
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
    notify = reverse("api-payment-notify", args=[account.gateway, payment.public_id])
    try:
        registered = client_for(account, point_of_sale).register(
            Order(
                public_id=str(payment.public_id),
                amount=grosze,
                currency=payment.currency,
                description=payment.title,
                email=actor.email or customer.email,
                language=translation.get_language() or "pl",
                return_url=base + reverse("payments_return", args=[payment.public_id]),
                notify_url=base + notify,
                customer_ip=customer_ip,
                user_agent=user_agent[:200],
                blik_code=blik_code,
            )
        )
    except (GatewayUnavailable, Refused) as exc:
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
        logger.warning("payment %s: the gateway did not register it (%s)", payment.pk, exc)
        if blik_code and isinstance(exc, Refused):
            message = _("The BLIK code was not accepted. Generate a new one and try again.")
            raise ApplicationError(
                message, code=Code.GATEWAY_REFUSED, extra={"fields": {"blik_code": [message]}}
            ) from exc
        raise ApplicationError(
            _("The payment service does not answer now. Try again in a while."),
            code=Code.GATEWAY_UNAVAILABLE,
            status=503,
        ) from exc
    Payment.objects.filter(pk=payment.pk).update(token=registered.token)
    payment.token = registered.token
    return payment, registered.redirect_url


def _log(gateway: str, payment: Payment | None, outcome: str, reason: str, remote) -> None:
    Notification.objects.create(
        gateway=gateway,
        payment=payment,
        outcome=outcome,
        reason=reason[:200],
        remote_address=remote,
    )


def _refused(gateway: str, payment: Payment | None, reason: str, remote: str | None) -> bool:
    _log(gateway, payment, Notification.Outcome.REFUSED, reason, remote)
    logger.warning("refused %s notification: %s", gateway, reason)
    return False


def _payment_of(gateway: str, session_id: str) -> Payment | None:
    try:
        public_id = uuid.UUID(session_id)
    except (ValueError, AttributeError, TypeError):
        return None
    return Payment.objects.filter(public_id=public_id, gateway=gateway).first()


def notification_receive(
    *,
    gateway: str,
    raw: bytes,
    remote: str | None,
    public_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """A gateway's notification, posted to this tenant's notify URL (of one payment, where the
    gateway's protocol lets the URL name it): checked with this tenant's key only, confirmed with
    the gateway where its protocol asks, booked once. Returns the answer the gateway expects:
    taken (booked, booked before, or a status noted), refused (logged for staff), or "again
    later" when the gateway cannot confirm now."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    account = GatewayAccount.objects.filter(gateway=gateway, enabled=True).first()
    named = _payment_of(gateway, public_id) if public_id else None
    if account is None or (public_id and named is None):
        _refused(gateway, None, "no such payment or account here", remote)
        return Reply(400)
    client = client_for(account, named.point_of_sale if named else "")
    if named is None and client.notifies_per_payment:
        _refused(gateway, None, "not the payment's notify address", remote)
        return Reply(400)
    try:
        notices = client.notifications(raw, headers)
    except Refused as exc:
        _refused(gateway, named, str(exc), remote)
        return client.refusal(raw)
    results: list[tuple[Notice, bool | None]] = []
    for notice in notices:
        payment = _payment_of(gateway, notice.session_id)
        if payment is None or (named is not None and payment.pk != named.pk):
            results.append((notice, _refused(gateway, named, "another payment's notice", remote)))
            continue
        results.append((notice, _apply(client, payment, notice, remote)))
    return client.answer(results)


def _apply(client: GatewayClient, payment: Payment, notice: Notice, remote) -> bool | None:
    """What a checked notice does to its payment: True taken, False refused, None "the gateway
    cannot confirm now" (it notifies again)."""
    if notice.amount != payment.amount_grosze or notice.currency != payment.currency:
        return _refused(payment.gateway, payment, "the amount, currency or session differs", remote)
    if notice.state == State.PENDING:
        _log(payment.gateway, payment, Notification.Outcome.NOTED, notice.detail, remote)
        return True
    if notice.state == State.FAILED:
        # Only a pending payment can end unpaid: a stale cancellation changes nothing.
        ended = Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            status=Payment.Status.FAILED
        )
        outcome = Notification.Outcome.NOT_PAID if ended else Notification.Outcome.NOTED
        _log(payment.gateway, payment, outcome, notice.detail, remote)
        return True
    if payment.status == Payment.Status.COMPLETED:
        return _booked_before(payment, notice, remote)
    try:
        client.confirm(notice)
    except GatewayUnavailable:
        logger.warning("payment %s: the gateway did not confirm; it stays pending", payment.pk)
        return None
    except Refused as exc:
        return _refused(payment.gateway, payment, f"verify: {exc}", remote)
    return _book(payment, notice, remote)


def payments_reconcile(*, older_than_minutes: int = 15, give_up_after_hours: int = 24) -> dict:
    """Payments pending longer than ``older_than_minutes`` (their notification lost or late):
    each gateway is asked what it knows. Paid: confirmed if need be and booked, as a
    notification would; not paid, or nothing paid after ``give_up_after_hours``: not paid. A
    gateway that does not answer leaves them pending for the next run: never a second charge."""
    now = timezone.now()
    counts = {"booked": 0, "failed": 0, "pending": 0}
    accounts = {a.gateway: a for a in enabled_accounts()}
    pending = Payment.objects.filter(
        status=Payment.Status.PENDING,
        gateway__in=list(accounts),
        created_at__lt=now - timedelta(minutes=older_than_minutes),
    ).order_by("created_at")[:200]
    for payment in pending:
        counts[_reconcile(accounts[payment.gateway], payment, now, give_up_after_hours)] += 1
    return counts


def _reconcile(account: GatewayAccount, payment: Payment, now, give_up_after_hours: int) -> str:
    try:
        client = client_for(account, payment.point_of_sale)
        notice = client.lookup(client.session_id(str(payment.public_id)), payment.token)
        if notice is not None and notice.state == State.PAID:
            if notice.amount != payment.amount_grosze or notice.currency != payment.currency:
                _refused(payment.gateway, payment, "the gateway's amount differs", None)
                return "pending"
            client.confirm(notice)
            return "booked" if _book(payment, notice, None) else "pending"
    except (GatewayUnavailable, Refused):
        return "pending"
    if (notice is not None and notice.state == State.FAILED) or (
        payment.created_at < now - timedelta(hours=give_up_after_hours)
    ):
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            status=Payment.Status.FAILED
        )
        return "failed"
    return "pending"


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
    booked_total = Decimal(figures["booked_grosze"]) / 100
    for user in staff_with_permission("payments.view").exclude(email=""):
        email_to_user(
            user,
            template="payments_daily",
            context=lambda: {
                **figures,
                "booked_amount": formats.number_format(booked_total, 2, force_grouping=True),
                "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
                "link": link,
            },
        )
        sent += 1
    return sent


def _booked_before(payment: Payment, notice: Notice, remote) -> bool:
    if payment.provider_transaction_id != notice.transaction_id:
        return _refused(payment.gateway, payment, "another transaction for a paid payment", remote)
    _log(payment.gateway, payment, Notification.Outcome.ALREADY_BOOKED, notice.detail, remote)
    return True


def _book(payment: Payment, notice: Notice, remote) -> bool:
    """Pending → completed, once: the row is locked, a second notification finds it done."""
    try:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == Payment.Status.COMPLETED:
                return _booked_before(locked, notice, remote)
            if locked.status != Payment.Status.PENDING:
                return _refused(locked.gateway, locked, "the payment is no longer pending", remote)
            locked.status = Payment.Status.COMPLETED
            locked.provider_transaction_id = notice.transaction_id[:64]
            locked.method = notice.method[:32]
            locked.completed_at = timezone.now()
            locked.save(
                update_fields=["status", "provider_transaction_id", "method", "completed_at"]
            )
            _log(locked.gateway, locked, Notification.Outcome.BOOKED, notice.detail, remote)
            _receipt(locked)
    except IntegrityError:
        return _refused(payment.gateway, payment, "the transaction booked another payment", remote)
    return True


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
