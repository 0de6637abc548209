"""Przelewy24's REST API (v1): a transaction registered with its ``sign``, the customer sent to
``/trnRequest/{token}``, the notification checked by its ``sign`` over the documented fields with
the merchant's CRC key, then ``transaction/verify``; nothing is booked before verify succeeds.

A BLIK code typed on our own page pays a registered transaction with ``paymentMethod/blik/
chargeByCode``; the customer confirms in the bank's app and the notification follows as usual.

Every ``sign`` is SHA-384 of a JSON object of the named fields in the documented order, written
as PHP's ``json_encode`` with ``JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES`` writes it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import requests

from payments.gateways.base import (
    Gateway,
    GatewayUnavailable,
    Notice,
    Order,
    Refused,
    Registration,
    State,
    digest_equal,
)

PRODUCTION = "https://secure.przelewy24.pl"
SANDBOX = "https://sandbox.przelewy24.pl"
TIMEOUT_SECONDS = 10

REGISTER_SIGNED = ("sessionId", "merchantId", "amount", "currency", "crc")
NOTIFICATION_SIGNED = (
    "merchantId",
    "posId",
    "sessionId",
    "amount",
    "originAmount",
    "currency",
    "orderId",
    "methodId",
    "statement",
    "crc",
)
VERIFY_SIGNED = ("sessionId", "orderId", "amount", "currency", "crc")


__all__ = ["Credentials", "GatewayUnavailable", "Przelewy24", "Refused", "sign"]


def sign(values: dict, order: tuple[str, ...]) -> str:
    text = json.dumps({k: values[k] for k in order}, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha384(text.encode()).hexdigest()


@dataclass(frozen=True)
class Credentials:
    merchant_id: int
    pos_id: int
    api_key: str
    crc: str
    base_url: str


class Przelewy24(Gateway):
    takes_blik_code = True

    def __init__(self, credentials: Credentials):
        self.credentials = credentials

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        try:
            response = requests.request(
                method,
                self.credentials.base_url.rstrip("/") + path,
                json=payload,
                auth=(str(self.credentials.pos_id), self.credentials.api_key),
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable(type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise GatewayUnavailable(f"HTTP {response.status_code}, not JSON") from exc
        if not isinstance(body, dict):
            raise GatewayUnavailable("an answer that is not a JSON object")
        if response.status_code >= 500:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        if response.status_code not in (200, 201):
            raise Refused(str(body.get("error") or response.status_code)[:200])
        return body

    def test_access(self) -> bool:
        """Whether the gateway takes these credentials (the admin's "test connection")."""
        try:
            return bool(self._call("GET", "/api/v1/testAccess").get("data"))
        except Refused:
            return False

    def register(self, order: Order) -> Registration:
        """Registers the transaction; the customer is sent with its token, or a BLIK code typed
        on our page charges it at once."""
        c = self.credentials
        values = {
            "merchantId": c.merchant_id,
            "posId": c.pos_id,
            "sessionId": order.public_id,
            "amount": order.amount,
            "currency": order.currency,
            "description": order.description[:1024],
            "email": order.email[:50],
            "country": "PL",
            "language": order.language if order.language in ("pl", "en", "uk") else "pl",
            "urlReturn": order.return_url,
            "urlStatus": order.notify_url,
            "crc": c.crc,
        }
        body = {k: v for k, v in values.items() if k != "crc"}
        body["sign"] = sign(values, REGISTER_SIGNED)
        if order.blik_code:  # the payer's device, as a code charged here asks
            body["additional"] = {"PSU": {"IP": order.customer_ip, "userAgent": order.user_agent}}
        token = (self._call("POST", "/api/v1/transaction/register", body).get("data") or {}).get(
            "token"
        )
        if not token:
            raise GatewayUnavailable("no token in the answer")
        token = str(token)
        if not order.blik_code:
            return Registration(token=token, redirect_url=self.redirect_url(token))
        answer = self._call(
            "POST",
            "/api/v1/paymentMethod/blik/chargeByCode",
            {"token": token, "blikCode": order.blik_code},
        )
        if not (answer.get("data") or {}).get("orderId"):
            raise Refused("the BLIK code was not taken")
        return Registration(token=token, redirect_url=None)

    def redirect_url(self, token: str) -> str:
        return f"{self.credentials.base_url.rstrip('/')}/trnRequest/{token}"

    def page_origins(self) -> list[str]:
        url = self.credentials.base_url.rstrip("/")
        return [url]

    def notifications(self, raw: bytes, headers: dict[str, str]) -> list[Notice]:
        """The notification when it is this merchant's and its ``sign`` holds; else Refused. A
        notification means paid, to be verified."""
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise Refused("the body is not a JSON object") from exc
        if not isinstance(body, dict):
            raise Refused("the body is not a JSON object")
        c = self.credentials
        try:
            values = {k: body[k] for k in NOTIFICATION_SIGNED if k != "crc"}
            expected = sign({**values, "crc": c.crc}, NOTIFICATION_SIGNED)
            given = str(body["sign"])
        except (KeyError, TypeError) as exc:
            raise Refused("a field is missing") from exc
        if not digest_equal(expected, given):
            raise Refused("the sign does not match")
        if values["merchantId"] != c.merchant_id or values["posId"] != c.pos_id:
            raise Refused("another merchant's notification")
        if not all(isinstance(values[k], int) for k in ("amount", "orderId", "methodId")):
            raise Refused("a number is not a number")
        return [self._notice(values, verified=False)]

    @staticmethod
    def _notice(values: dict, *, verified: bool) -> Notice:
        return Notice(
            session_id=str(values["sessionId"]),
            transaction_id=str(values["orderId"]),
            amount=int(values["amount"]),
            currency=str(values.get("currency", "PLN")),
            state=State.PAID,
            method=str(values.get("methodId") or ""),
            confirmation=None if verified else {"order_id": int(values["orderId"])},
        )

    def confirm(self, notice: Notice) -> None:
        """``transaction/verify``: Przelewy24 takes the money; Refused when it does not."""
        if notice.confirmation is None:
            return
        c = self.credentials
        values = {
            "merchantId": c.merchant_id,
            "posId": c.pos_id,
            "sessionId": notice.session_id,
            "amount": notice.amount,
            "currency": notice.currency,
            "orderId": notice.confirmation["order_id"],
            "crc": c.crc,
        }
        body = {k: v for k, v in values.items() if k != "crc"}
        body["sign"] = sign(values, VERIFY_SIGNED)
        answer = self._call("PUT", "/api/v1/transaction/verify", body)
        if (answer.get("data") or {}).get("status") != "success":
            raise Refused("verify did not succeed")

    def lookup(self, session_id: str, token: str) -> Notice | None:
        """What Przelewy24 knows of a session (``transaction/by/sessionId``): status 1 is paid
        and waiting for verify, 2 paid and verified; 0 (nothing paid) and 3 (returned) book
        nothing."""
        try:
            answer = self._call("GET", f"/api/v1/transaction/by/sessionId/{session_id}")
        except Refused:
            return None
        data = answer.get("data") or {}
        try:
            status = int(data["status"])
            if status not in (1, 2):
                return None
            return self._notice(data, verified=status == 2)
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayUnavailable("an answer without the transaction") from exc
