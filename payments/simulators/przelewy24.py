"""A local Przelewy24 that speaks its REST protocol over HTTP, for development and tests: it
checks the merchant's credentials and every ``sign`` as the real one does, shows a payment page
with "pay", "refuse" and "abandon", sends the signed notification to ``urlStatus`` (optionally
late or several times at once) and answers ``transaction/verify``.

A BLIK code typed in the shop (``paymentMethod/blik/chargeByCode``) is confirmed at once by the
simulated bank, except ``000000``, which it does not know.

It listens on loopback only. ``Simulator.start()`` serves in a thread; ``python -m
demo.simulators PORT`` serves every simulator in the foreground."""

from __future__ import annotations

import base64
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field

from payments.gateways.przelewy24 import (
    NOTIFICATION_SIGNED,
    REGISTER_SIGNED,
    VERIFY_SIGNED,
    sign,
)
from payments.simulators.base import Exchange, GatewaySimulator, payment_page

# A BLIK code the simulated bank does not know (any other six digits are taken).
WRONG_BLIK_CODE = "000000"


@dataclass
class Merchant:
    merchant_id: int
    pos_id: int
    api_key: str
    crc: str


@dataclass
class Transaction:
    merchant: Merchant
    session_id: str
    amount: int
    currency: str
    description: str
    url_return: str
    url_status: str
    token: str = ""
    order_id: int = 0
    verified: bool = False
    notifications: list[int] = field(default_factory=list)  # HTTP statuses received back


class Simulator(GatewaySimulator):
    name = "Przelewy24"

    def __init__(self, port: int = 0, server=None):
        super().__init__(port, server)
        self.merchants: dict[int, Merchant] = {}
        self.transactions: dict[str, Transaction] = {}
        self.verify_fails = False  # a verify that fails (the money was not taken)
        self.verify_delay = 0.0  # seconds before verify answers (a gateway timing out)
        self._orders = itertools.count(310_000_001)

    def add_merchant(self, *, merchant_id: int, api_key: str, crc: str, pos_id=None) -> Merchant:
        merchant = Merchant(merchant_id, pos_id or merchant_id, api_key, crc)
        self.merchants[merchant.pos_id] = merchant
        return merchant

    # What the payment page's buttons do.

    def pay(self, token: str, *, times: int = 1, delay: float = 0.0) -> list[int]:
        """The customer paid: the order gets its number and the notification is sent, ``times``
        at once after ``delay`` seconds; returns the statuses the shop answered."""
        transaction = self.transactions[token]
        with self._lock:
            if not transaction.order_id:
                transaction.order_id = next(self._orders)
        if delay:
            time.sleep(delay)
        body = self.notification_body(token)
        results = self.at_once(times, lambda: self.post(transaction.url_status, json=body))
        transaction.notifications.extend(results)
        return results

    def notification_body(self, token: str, **changed) -> dict:
        """The notification of a paid transaction, signed with its merchant's CRC key (with
        ``changed`` fields applied after signing, to forge one)."""
        t = self.transactions[token]
        values = {
            "merchantId": t.merchant.merchant_id,
            "posId": t.merchant.pos_id,
            "sessionId": t.session_id,
            "amount": t.amount,
            "originAmount": t.amount,
            "currency": t.currency,
            "orderId": t.order_id,
            "methodId": 154,  # BLIK
            "statement": f"p24-{t.order_id}",
            "crc": t.merchant.crc,
        }
        body = {k: v for k, v in values.items() if k != "crc"}
        body["sign"] = sign(values, NOTIFICATION_SIGNED)
        body.update(changed)
        return body

    def _merchant(self, exchange: Exchange) -> Merchant | None:
        header = exchange.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _sep, key = base64.b64decode(header[6:]).decode().partition(":")
            merchant = self.merchants.get(int(user))
        except (ValueError, UnicodeDecodeError):
            return None
        if merchant is None or not secrets.compare_digest(merchant.api_key, key):
            return None
        return merchant

    def handle(self, exchange: Exchange) -> bool:
        path, method = exchange.path, exchange.method
        if path.startswith("/trnRequest/"):
            self._page(exchange)
            return True
        routes = {
            ("GET", "/api/v1/testAccess"): self._test_access,
            ("POST", "/api/v1/transaction/register"): self._register,
            ("PUT", "/api/v1/transaction/verify"): self._verify,
            ("POST", "/api/v1/paymentMethod/blik/chargeByCode"): self._charge_by_code,
        }
        if path.startswith("/api/v1/transaction/by/sessionId/") and method == "GET":
            route = self._by_session
        elif (method, path) in routes:
            route = routes[(method, path)]
        else:
            return False
        merchant = self._merchant(exchange)
        if merchant is None:
            exchange.json(401, {"error": "Incorrect authentication", "code": 401})
        else:
            route(exchange, merchant)
        return True

    def _test_access(self, exchange: Exchange, merchant: Merchant) -> None:
        exchange.json(200, {"data": True, "error": ""})

    def _page(self, exchange: Exchange) -> None:
        _root, _trn, token, *action = exchange.path.split("/", 3)
        t = self.transactions.get(token)
        if t is None:
            return exchange.json(404, {"error": "Unknown token", "code": 404})
        if exchange.method == "GET":
            return payment_page(
                exchange,
                self.name,
                t.description,
                t.amount,
                t.currency,
                lambda v: f"/trnRequest/{token}/{v}",
            )
        if action == ["pay"]:
            threading.Thread(target=self.pay, args=(token,), daemon=True).start()
        return exchange.redirect(t.url_return)

    def _by_session(self, exchange: Exchange, merchant: Merchant) -> None:
        session_id = exchange.path.rsplit("/", 1)[-1]
        t = next(
            (
                t
                for t in self.transactions.values()
                if t.session_id == session_id and t.merchant is merchant
            ),
            None,
        )
        if t is None:
            return exchange.json(400, {"error": "Transaction not found", "code": 400})
        status = 2 if t.verified else 1 if t.order_id else 0
        return exchange.json(
            200,
            {
                "data": {
                    "sessionId": t.session_id,
                    "orderId": t.order_id,
                    "status": status,
                    "amount": t.amount,
                    "currency": t.currency,
                    "methodId": 154,
                },
                "responseCode": 0,
            },
        )

    def _register(self, exchange: Exchange, merchant: Merchant) -> None:
        body = exchange.json_body()
        try:
            values = {**body, "crc": merchant.crc}
            good = secrets.compare_digest(sign(values, REGISTER_SIGNED), str(body["sign"]))
        except (KeyError, TypeError):
            good = False
        if not good or body.get("merchantId") != merchant.merchant_id:
            return exchange.json(400, {"error": "Incorrect CRC value", "code": 400})
        if not isinstance(body.get("amount"), int) or body["amount"] <= 0:
            return exchange.json(400, {"error": "Incorrect amount", "code": 400})
        token = secrets.token_hex(16).upper()
        self.transactions[token] = Transaction(
            merchant=merchant,
            session_id=body["sessionId"],
            amount=body["amount"],
            currency=body.get("currency", "PLN"),
            description=body.get("description", ""),
            url_return=body["urlReturn"],
            url_status=body["urlStatus"],
            token=token,
        )
        return exchange.json(200, {"data": {"token": token}, "responseCode": 0})

    def _charge_by_code(self, exchange: Exchange, merchant: Merchant) -> None:
        """The BLIK code typed in the shop: the bank asks the customer, who confirms in the app
        (at once, here), and the notification follows."""
        body = exchange.json_body()
        t = self.transactions.get(str(body.get("token")))
        code = str(body.get("blikCode") or "")
        if t is None or t.merchant is not merchant:
            return exchange.json(400, {"error": "Transaction not found", "code": 400})
        if len(code) != 6 or not code.isdigit() or code == WRONG_BLIK_CODE:
            return exchange.json(400, {"error": "Incorrect BLIK code", "code": 400})
        with self._lock:
            if not t.order_id:
                t.order_id = next(self._orders)
        threading.Thread(target=self.pay, args=(t.token,), daemon=True).start()
        return exchange.json(
            200, {"data": {"orderId": t.order_id, "message": "success"}, "responseCode": 0}
        )

    def _verify(self, exchange: Exchange, merchant: Merchant) -> None:
        if self.verify_delay:
            time.sleep(self.verify_delay)
        body = exchange.json_body()
        match = next(
            (
                t
                for t in self.transactions.values()
                if t.session_id == body.get("sessionId")
                and t.merchant is merchant
                and t.order_id
                and t.order_id == body.get("orderId")
            ),
            None,
        )
        try:
            values = {**body, "crc": merchant.crc}
            good = secrets.compare_digest(sign(values, VERIFY_SIGNED), str(body["sign"]))
        except (KeyError, TypeError):
            good = False
        if (
            match is None
            or not good
            or self.verify_fails
            or body.get("amount") != match.amount
            or body.get("currency") != match.currency
        ):
            return exchange.json(400, {"error": "Transaction not verified", "code": 400})
        match.verified = True
        return exchange.json(200, {"data": {"status": "success"}, "responseCode": 0})
