"""Przelewy24's REST API (v1): a transaction registered with its ``sign``, the customer sent to
``/trnRequest/{token}``, the notification checked by its ``sign`` over the documented fields with
the merchant's CRC key, then ``transaction/verify``; nothing is booked before verify succeeds.

Every ``sign`` is SHA-384 of a JSON object of the named fields in the documented order, written
as PHP's ``json_encode`` with ``JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES`` writes it."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

import requests

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


class GatewayUnavailable(Exception):
    """The gateway did not answer in time, or not as its protocol says."""


class Refused(Exception):
    """The gateway answered with a refusal (its error, for the log; never a secret)."""


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


@dataclass(frozen=True)
class Notification:
    session_id: str
    order_id: int
    amount: int
    currency: str
    method_id: int


class Przelewy24:
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
        if response.status_code >= 500:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise Refused(str(body.get("error") or response.status_code)[:200])
        return body

    def test_access(self) -> bool:
        """Whether the gateway takes these credentials (the admin's "test connection")."""
        try:
            return bool(self._call("GET", "/api/v1/testAccess").get("data"))
        except Refused:
            return False

    def register(
        self,
        *,
        session_id: str,
        amount: int,
        currency: str,
        description: str,
        email: str,
        language: str,
        return_url: str,
        status_url: str,
    ) -> str:
        """Registers the transaction; returns the token the customer is sent with."""
        c = self.credentials
        values = {
            "merchantId": c.merchant_id,
            "posId": c.pos_id,
            "sessionId": session_id,
            "amount": amount,
            "currency": currency,
            "description": description[:1024],
            "email": email[:50],
            "country": "PL",
            "language": language if language in ("pl", "en", "uk") else "pl",
            "urlReturn": return_url,
            "urlStatus": status_url,
            "crc": c.crc,
        }
        body = {k: v for k, v in values.items() if k != "crc"}
        body["sign"] = sign(values, REGISTER_SIGNED)
        token = (self._call("POST", "/api/v1/transaction/register", body).get("data") or {}).get(
            "token"
        )
        if not token:
            raise GatewayUnavailable("no token in the answer")
        return str(token)

    def redirect_url(self, token: str) -> str:
        return f"{self.credentials.base_url.rstrip('/')}/trnRequest/{token}"

    def notification(self, body: dict) -> Notification:
        """The notification when it is this merchant's and its ``sign`` holds; else Refused."""
        c = self.credentials
        try:
            values = {k: body[k] for k in NOTIFICATION_SIGNED if k != "crc"}
            expected = sign({**values, "crc": c.crc}, NOTIFICATION_SIGNED)
            given = str(body["sign"])
        except (KeyError, TypeError) as exc:
            raise Refused("a field is missing") from exc
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise Refused("the sign does not match")
        if values["merchantId"] != c.merchant_id or values["posId"] != c.pos_id:
            raise Refused("another merchant's notification")
        if not all(isinstance(values[k], int) for k in ("amount", "orderId", "methodId")):
            raise Refused("a number is not a number")
        return Notification(
            session_id=str(values["sessionId"]),
            order_id=values["orderId"],
            amount=values["amount"],
            currency=str(values["currency"]),
            method_id=values["methodId"],
        )

    def transaction(self, session_id: str) -> tuple[int, Notification] | None:
        """What Przelewy24 knows of a session: (status, the transaction as a notification
        would give it), or None when it knows no payment in it. Status 0: nothing paid, 1: paid
        and waiting for verify, 2: paid and verified, 3: returned."""
        try:
            answer = self._call("GET", f"/api/v1/transaction/by/sessionId/{session_id}")
        except Refused:
            return None
        data = answer.get("data") or {}
        try:
            notice = Notification(
                session_id=str(data["sessionId"]),
                order_id=int(data["orderId"]),
                amount=int(data["amount"]),
                currency=str(data.get("currency", "PLN")),
                method_id=int(data.get("methodId") or 0),
            )
            return int(data["status"]), notice
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayUnavailable("an answer without the transaction") from exc

    def verify(self, *, session_id: str, order_id: int, amount: int, currency: str) -> None:
        """Przelewy24 confirms the transaction (money taken); Refused when it does not."""
        c = self.credentials
        values = {
            "merchantId": c.merchant_id,
            "posId": c.pos_id,
            "sessionId": session_id,
            "amount": amount,
            "currency": currency,
            "orderId": order_id,
            "crc": c.crc,
        }
        body = {k: v for k, v in values.items() if k != "crc"}
        body["sign"] = sign(values, VERIFY_SIGNED)
        answer = self._call("PUT", "/api/v1/transaction/verify", body)
        if (answer.get("data") or {}).get("status") != "success":
            raise Refused("verify did not succeed")
