"""PayU's REST API (OpenPayU v2.1): an OAuth token by client credentials (cached per point of
sale, in the tenant's own cache space), the order created and the customer sent to its
``redirectUri``; the notification's ``OpenPayu-Signature`` checked over the raw body with the
second key by the algorithm the tenant configured, never the one the header names if it differs;
the order's status moves NEW → PENDING → (WAITING_FOR_CONFIRMATION) → COMPLETED or CANCELED.

A BLIK code typed on our own page goes with the order (``payMethods``): PayU answers 201 with no
page to open, and only a point of sale of its own (set up by PayU for it) takes such orders."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

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

PRODUCTION = "https://secure.payu.com"
SANDBOX = "https://secure.snd.payu.com"
# Where the sandbox's and production's payment pages are (the order's redirectUri).
PAGES = {PRODUCTION: ["https://secure.payu.com"], SANDBOX: ["https://merch-prod.snd.payu.com"]}
TIMEOUT_SECONDS = 10

# The algorithms a notification may be signed with, by the names PayU writes.
ALGORITHMS = {"MD5": "md5", "SHA": "sha1", "SHA1": "sha1", "SHA-256": "sha256", "SHA256": "sha256"}
STATES = {
    "NEW": State.PENDING,
    "PENDING": State.PENDING,
    "WAITING_FOR_CONFIRMATION": State.PENDING,
    "COMPLETED": State.PAID,
    "CANCELED": State.FAILED,
    "REJECTED": State.FAILED,
}


@dataclass(frozen=True)
class Credentials:
    pos_id: int
    client_id: str
    client_secret: str
    second_key: str  # "Drugi klucz (MD5)": signs the notifications
    algorithm: str  # "SHA-256" or "MD5": the only one a notification may be signed with
    base_url: str


def normal_algorithm(name: str) -> str | None:
    return ALGORITHMS.get(name.strip().upper())


def signature(raw: bytes, second_key: str, algorithm: str) -> str:
    return hashlib.new(
        normal_algorithm(algorithm) or "sha256", raw + second_key.encode()
    ).hexdigest()


class PayU(Gateway):
    def __init__(self, credentials: Credentials, tokens, *, takes_blik_code: bool = False):
        """``tokens``: a cache (get/set/delete) for the OAuth token, the tenant's own."""
        self.credentials = credentials
        self.tokens = tokens
        self.takes_blik_code = takes_blik_code

    @property
    def _base(self) -> str:
        return self.credentials.base_url.rstrip("/")

    def _token_key(self) -> str:
        c = self.credentials
        secret = hashlib.sha256(f"{c.client_id}:{c.client_secret}".encode()).hexdigest()[:16]
        return f"payu-oauth:{c.pos_id}:{secret}"

    def _fresh_token(self) -> tuple[str, int]:
        c = self.credentials
        try:
            response = requests.post(
                self._base + "/pl/standard/user/oauth/authorize",
                data={
                    "grant_type": "client_credentials",
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                },
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), int(body.get("expires_in") or 0)
        except (ValueError, KeyError, TypeError) as exc:
            if response.status_code != 200:
                raise Refused(f"authorization refused (HTTP {response.status_code})") from exc
            raise GatewayUnavailable("an authorization answer without a token") from exc
        return token, lifetime

    def _token(self) -> str:
        key = self._token_key()
        token = self.tokens.get(key)
        if token is None:
            token, lifetime = self._fresh_token()
            if lifetime > 120:  # kept until a minute before PayU lets it lapse
                self.tokens.set(key, token, timeout=lifetime - 60)
        return token

    def _call(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        for attempt in (1, 2):
            try:
                response = requests.request(
                    method,
                    self._base + path,
                    json=payload,
                    headers={"Authorization": f"Bearer {self._token()}"},
                    allow_redirects=False,  # the 302 is the answer: its body says where to go
                    timeout=TIMEOUT_SECONDS,
                )
            except requests.RequestException as exc:
                raise GatewayUnavailable(type(exc).__name__) from exc
            if response.status_code == 401 and attempt == 1:
                self.tokens.delete(self._token_key())  # lapsed early: once more with a new one
                continue
            break
        if response.status_code >= 500:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise GatewayUnavailable(f"HTTP {response.status_code}, not JSON") from exc
        if not isinstance(body, dict):
            raise GatewayUnavailable("an answer that is not a JSON object")
        status = (body.get("status") or {}).get("statusCode", "")
        if response.status_code not in (200, 201, 302) or status not in (
            "SUCCESS",
            "WARNING_CONTINUE_3DS",
            "WARNING_CONTINUE_REDIRECT",
        ):
            raise Refused(str(status or response.status_code)[:200])
        return response.status_code, body

    def test_access(self) -> bool:
        try:
            self._fresh_token()
        except Refused:
            return False
        return True

    def register(self, order: Order) -> Registration:
        c = self.credentials
        body = {
            "notifyUrl": order.notify_url,
            "continueUrl": order.return_url,
            "customerIp": order.customer_ip,
            "merchantPosId": str(c.pos_id),
            "description": order.description[:100],
            "currencyCode": order.currency,
            "totalAmount": str(order.amount),
            "extOrderId": order.public_id,
            "buyer": {
                "email": order.email,
                "language": order.language if order.language in ("pl", "en", "uk") else "pl",
            },
            "products": [
                {"name": order.description[:100], "unitPrice": str(order.amount), "quantity": "1"}
            ],
        }
        if order.blik_code:
            body["payMethods"] = {
                "payMethod": {"type": "BLIK_AUTHORIZATION_CODE", "value": order.blik_code}
            }
        status, answer = self._call("POST", "/api/v2_1/orders", body)
        token = str(answer.get("orderId") or "")
        if not token:
            raise GatewayUnavailable("no orderId in the answer")
        if order.blik_code:
            if status != 201:
                raise GatewayUnavailable(f"HTTP {status} for a BLIK code order, not 201")
            return Registration(token=token, redirect_url=None)
        redirect = str(answer.get("redirectUri") or "")
        if not redirect.startswith(("https://", "http://")):
            raise GatewayUnavailable("no redirectUri in the answer")
        return Registration(token=token, redirect_url=redirect)

    def page_origins(self) -> list[str]:
        return PAGES.get(self._base, [self._base])

    def notifications(self, raw: bytes, headers: dict[str, str]) -> list[Notice]:
        """The notification when its signature holds by the configured algorithm with this point
        of sale's second key; else Refused."""
        header = headers.get("openpayu-signature") or headers.get("x-openpayu-signature", "")
        parts = dict(
            part.split("=", 1) for part in header.replace(" ", "").split(";") if "=" in part
        )
        given, named = parts.get("signature", ""), parts.get("algorithm", "")
        configured = normal_algorithm(self.credentials.algorithm)
        if not given or not named:
            raise Refused("no signature")
        if normal_algorithm(named) is None or normal_algorithm(named) != configured:
            raise Refused(f"signed with {named[:20]}, not the configured algorithm")
        expected = signature(raw, self.credentials.second_key, self.credentials.algorithm)
        if not digest_equal(expected, given):
            raise Refused("the signature does not match")
        try:
            body = json.loads(raw)
            return [self._notice(body["order"])]
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            raise Refused("not an order notification") from exc

    def _notice(self, order: dict) -> Notice:
        if str(order.get("merchantPosId")) != str(self.credentials.pos_id):
            raise Refused("another point of sale's order")
        status = str(order["status"])
        if status not in STATES:
            raise Refused("an unknown status")
        amount = Decimal(str(order["totalAmount"]))
        if amount != int(amount) or amount <= 0:
            raise Refused("an amount that is not in grosze")
        return Notice(
            session_id=str(order["extOrderId"]),
            transaction_id=str(order["orderId"]),
            amount=int(amount),
            currency=str(order["currencyCode"]),
            state=STATES[status],
            method=str((order.get("payMethod") or {}).get("type", ""))[:32],
            detail=status,
        )

    def lookup(self, session_id: str, token: str) -> Notice | None:
        if not token:
            return None
        try:
            _status, body = self._call("GET", f"/api/v2_1/orders/{token}")
        except Refused:
            return None
        try:
            notice = self._notice((body.get("orders") or [])[0])
        except (IndexError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise GatewayUnavailable("an answer without the order") from exc
        return notice if notice.session_id == session_id else None
