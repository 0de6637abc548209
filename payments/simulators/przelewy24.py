"""A local Przelewy24 that speaks its REST protocol over HTTP, for development and tests: it
checks the merchant's credentials and every ``sign`` as the real one does, shows a payment page
with "pay", "refuse" and "abandon", sends the signed notification to ``urlStatus`` (optionally
late or several times at once) and answers ``transaction/verify``.

It listens on loopback only. ``Simulator.start()`` serves in a thread; ``python -m
payments.simulators.przelewy24 PORT`` serves in the foreground."""

from __future__ import annotations

import base64
import html
import itertools
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests

from payments.gateways.przelewy24 import (
    NOTIFICATION_SIGNED,
    REGISTER_SIGNED,
    VERIFY_SIGNED,
    sign,
)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A shop that hung up (its timeout) is no error of the simulator's."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


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
    order_id: int = 0
    verified: bool = False
    notifications: list[int] = field(default_factory=list)  # HTTP statuses received back


class Simulator:
    def __init__(self, port: int = 0):
        self.merchants: dict[int, Merchant] = {}
        self.transactions: dict[str, Transaction] = {}
        self.verify_fails = False  # a verify that fails (the money was not taken)
        self.verify_delay = 0.0  # seconds before verify answers (a gateway timing out)
        self._orders = itertools.count(310_000_001)
        self._lock = threading.Lock()
        self.server = _Server(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add_merchant(self, *, merchant_id: int, api_key: str, crc: str, pos_id=None) -> Merchant:
        merchant = Merchant(merchant_id, pos_id or merchant_id, api_key, crc)
        self.merchants[merchant.pos_id] = merchant
        return merchant

    def start(self) -> Simulator:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

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
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(self._post(transaction, body)))
            for _ in range(times)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
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

    @staticmethod
    def _post(transaction: Transaction, body: dict) -> int:
        """POST to the shop's urlStatus; a ``*.localhost`` host is reached on loopback with its
        name in the Host header (as a browser would)."""
        url = urlsplit(transaction.url_status)
        host = url.hostname or ""
        target = transaction.url_status
        headers = {}
        if host.endswith(".localhost"):
            target = url._replace(netloc=f"127.0.0.1:{url.port or 80}").geturl()
            headers["Host"] = url.netloc
        try:
            return requests.post(target, json=body, headers=headers, timeout=30).status_code
        except requests.RequestException:
            return 0

    def _handler(self):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _merchant(self) -> Merchant | None:
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return None
                try:
                    user, _sep, key = base64.b64decode(header[6:]).decode().partition(":")
                    merchant = simulator.merchants.get(int(user))
                except (ValueError, UnicodeDecodeError):
                    return None
                if merchant is None or not secrets.compare_digest(merchant.api_key, key):
                    return None
                return merchant

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    return json.loads(raw or b"{}")
                return {k: v[0] for k, v in parse_qs(raw.decode()).items()}

            def do_GET(self):  # noqa: N802 - http.server's name
                path = urlsplit(self.path).path
                if path.startswith("/api/v1/transaction/by/sessionId/"):
                    return self._by_session(path.rsplit("/", 1)[-1])
                if path == "/api/v1/testAccess":
                    merchant = self._merchant()
                    if merchant is None:
                        return self._json(401, {"error": "Incorrect authentication", "code": 401})
                    return self._json(200, {"data": True, "error": ""})
                if path.startswith("/trnRequest/"):
                    token = path.rsplit("/", 1)[-1]
                    t = simulator.transactions.get(token)
                    if t is None:
                        return self._json(404, {"error": "Unknown token", "code": 404})
                    return self._page(token, t)
                return self._json(404, {"error": "Not found", "code": 404})

            def _by_session(self, session_id: str):
                merchant = self._merchant()
                if merchant is None:
                    return self._json(401, {"error": "Incorrect authentication", "code": 401})
                t = next(
                    (
                        t
                        for t in simulator.transactions.values()
                        if t.session_id == session_id and t.merchant is merchant
                    ),
                    None,
                )
                if t is None:
                    return self._json(400, {"error": "Transaction not found", "code": 400})
                status = 2 if t.verified else 1 if t.order_id else 0
                return self._json(
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

            def _page(self, token: str, t: Transaction) -> None:
                amount = f"{t.amount // 100},{t.amount % 100:02d} {t.currency}"
                buttons = "".join(
                    f'<form method="post" action="/trnRequest/{token}/{action}">'
                    f'<button type="submit">{label}</button></form>'
                    for action, label in (
                        ("pay", "Zapłać"),
                        ("refuse", "Odmów"),
                        ("abandon", "Porzuć"),
                    )
                )
                page = (
                    '<!doctype html><html lang="pl"><head><meta charset="utf-8">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">'
                    "<title>Przelewy24 (symulator)</title></head><body><main>"
                    f"<h1>Przelewy24 (symulator)</h1><p>{html.escape(t.description)}</p>"
                    f"<p>Kwota: <strong>{amount}</strong></p>{buttons}</main></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def do_POST(self):  # noqa: N802
                path = urlsplit(self.path).path
                if path == "/api/v1/transaction/register":
                    return self._register()
                if path.startswith("/trnRequest/"):
                    _root, _trn, token, action = path.split("/", 3)
                    t = simulator.transactions.get(token)
                    if t is None:
                        return self._json(404, {"error": "Unknown token", "code": 404})
                    if action == "pay":
                        threading.Thread(target=simulator.pay, args=(token,), daemon=True).start()
                    self.send_response(303)
                    self.send_header("Location", t.url_return)
                    self.end_headers()
                    return None
                return self._json(404, {"error": "Not found", "code": 404})

            def _register(self):
                merchant = self._merchant()
                if merchant is None:
                    return self._json(401, {"error": "Incorrect authentication", "code": 401})
                body = self._body()
                try:
                    values = {**body, "crc": merchant.crc}
                    good = secrets.compare_digest(sign(values, REGISTER_SIGNED), body["sign"])
                except (KeyError, TypeError):
                    good = False
                if not good or body.get("merchantId") != merchant.merchant_id:
                    return self._json(400, {"error": "Incorrect CRC value", "code": 400})
                if not isinstance(body.get("amount"), int) or body["amount"] <= 0:
                    return self._json(400, {"error": "Incorrect amount", "code": 400})
                token = secrets.token_hex(16).upper()
                simulator.transactions[token] = Transaction(
                    merchant=merchant,
                    session_id=body["sessionId"],
                    amount=body["amount"],
                    currency=body.get("currency", "PLN"),
                    description=body.get("description", ""),
                    url_return=body["urlReturn"],
                    url_status=body["urlStatus"],
                )
                return self._json(200, {"data": {"token": token}, "responseCode": 0})

            def do_PUT(self):  # noqa: N802
                if urlsplit(self.path).path != "/api/v1/transaction/verify":
                    return self._json(404, {"error": "Not found", "code": 404})
                merchant = self._merchant()
                if merchant is None:
                    return self._json(401, {"error": "Incorrect authentication", "code": 401})
                if simulator.verify_delay:
                    time.sleep(simulator.verify_delay)
                body = self._body()
                match = next(
                    (
                        t
                        for t in simulator.transactions.values()
                        if t.session_id == body.get("sessionId")
                        and t.merchant is merchant
                        and t.order_id
                        and t.order_id == body.get("orderId")
                    ),
                    None,
                )
                try:
                    values = {**body, "crc": merchant.crc}
                    good = secrets.compare_digest(sign(values, VERIFY_SIGNED), body["sign"])
                except (KeyError, TypeError):
                    good = False
                if (
                    match is None
                    or not good
                    or simulator.verify_fails
                    or body.get("amount") != match.amount
                    or body.get("currency") != match.currency
                ):
                    return self._json(400, {"error": "Transaction not verified", "code": 400})
                match.verified = True
                return self._json(200, {"data": {"status": "success"}, "responseCode": 0})

        return Handler


def serve(port: int, merchants_file: str | None) -> None:
    """The simulator in the foreground with the merchants of ``merchants_file`` (the demo's:
    ``{slug: {"merchant_id", "api_key", "crc"}}``)."""
    simulator = Simulator(port)
    if merchants_file:
        try:
            with open(merchants_file) as stream:
                merchants = json.load(stream)
        except FileNotFoundError:
            merchants = {}
        for merchant in merchants.values():
            simulator.add_merchant(**merchant)
    print(f"Przelewy24 simulator on {simulator.base_url}", flush=True)  # noqa: T201
    simulator.server.serve_forever()


if __name__ == "__main__":
    serve(
        int(sys.argv[1]) if len(sys.argv) > 1 else 8301, sys.argv[2] if len(sys.argv) > 2 else None
    )
