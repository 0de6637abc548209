"""A local PayU that speaks OpenPayU v2.1 over HTTP, for development and tests: OAuth client
credentials (each token issued is counted), orders created with 302 and their ``redirectUri``
(201 for a BLIK code on a point of sale set up for codes), a payment page with "pay", "refuse"
and "abandon", and notifications signed with the point of sale's second key in its
``OpenPayu-Signature`` header, status by status (PENDING, then COMPLETED or CANCELED), late or
several times at once when asked.

A BLIK code is confirmed at once by the simulated bank, except ``000000``, which it refuses (the
order is CANCELED)."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from payments.gateways.payu import signature
from payments.simulators.base import Exchange, GatewaySimulator, payment_page

WRONG_BLIK_CODE = "000000"


@dataclass
class PointOfSale:
    pos_id: int
    client_id: str
    client_secret: str
    second_key: str
    algorithm: str = "MD5"  # what its notifications are signed with
    blik_codes: bool = False  # set up for BLIK codes typed in the shop


@dataclass
class Order:
    pos: PointOfSale
    order_id: str
    body: dict
    status: str = "NEW"
    notifications: list[int] = field(default_factory=list)  # HTTP statuses received back


class Simulator(GatewaySimulator):
    name = "PayU"

    def __init__(self, port: int = 0, server=None):
        super().__init__(port, server)
        self.points: dict[str, PointOfSale] = {}  # by client_id
        self.tokens: dict[str, PointOfSale] = {}
        self.orders: dict[str, Order] = {}
        self.tokens_issued = 0
        self._numbers = itertools.count(1)

    def add_point_of_sale(self, **values) -> PointOfSale:
        pos = PointOfSale(**values)
        self.points[pos.client_id] = pos
        return pos

    # What the payment page's buttons (and the bank, for a BLIK code) do.

    def pay(self, order_id: str, *, times: int = 1, delay: float = 0.0) -> list[int]:
        """Paid: PENDING, then COMPLETED, each notified ``times`` at once after ``delay``."""
        self.notify(order_id, "PENDING")
        return self.notify(order_id, "COMPLETED", times=times, delay=delay)

    def notify(
        self, order_id: str, status: str, *, times: int = 1, delay: float = 0.0, **forged
    ) -> list[int]:
        """The order takes ``status`` and the shop is told; returns the statuses it answered."""
        order = self.orders[order_id]
        order.status = status
        if delay:
            time.sleep(delay)
        raw, headers = self.notification(order_id, **forged)
        results = self.at_once(
            times, lambda: self.post(order.body["notifyUrl"], data=raw, headers=headers)
        )
        order.notifications.extend(results)
        return results

    def notification(self, order_id: str, *, algorithm: str | None = None, **changed):
        """The notification body of the order's present status and its header, signed with the
        point of sale's second key (by ``algorithm`` if given; ``changed`` fields of the order
        applied after signing, to forge one)."""
        order = self.orders[order_id]
        document = {
            "order": self._order(order),
            "localReceiptDateTime": datetime.now(UTC).isoformat(),
            "properties": [{"name": "PAYMENT_ID", "value": str(5_000_000 + next(self._numbers))}],
        }
        raw = json.dumps(document).encode()
        algorithm = algorithm or order.pos.algorithm
        signed = signature(raw, order.pos.second_key, algorithm)
        if changed:
            document["order"].update(changed)
            raw = json.dumps(document).encode()
        header = f"sender=checkout;signature={signed};algorithm={algorithm};content=DOCUMENT"
        return raw, {"OpenPayu-Signature": header, "Content-Type": "application/json"}

    @staticmethod
    def _order(order: Order) -> dict:
        body = order.body
        return {
            "orderId": order.order_id,
            "extOrderId": body.get("extOrderId"),
            "orderCreateDate": datetime.now(UTC).isoformat(),
            "notifyUrl": body.get("notifyUrl"),
            "customerIp": body.get("customerIp"),
            "merchantPosId": str(order.pos.pos_id),
            "description": body.get("description"),
            "currencyCode": body.get("currencyCode"),
            "totalAmount": str(body.get("totalAmount")),
            "buyer": body.get("buyer") or {},
            "payMethod": {"type": "PBL"},
            "products": body.get("products") or [],
            "status": order.status,
        }

    def handle(self, exchange: Exchange) -> bool:
        path, method = exchange.path, exchange.method
        if (method, path) == ("POST", "/pl/standard/user/oauth/authorize"):
            self._authorize(exchange)
        elif (method, path) == ("POST", "/api/v2_1/orders"):
            self._authorized(exchange, self._create)
        elif method == "GET" and path.startswith("/api/v2_1/orders/"):
            self._authorized(exchange, self._retrieve)
        elif path == "/pay/" or path.startswith("/pay/"):
            self._page(exchange)
        else:
            return False
        return True

    def _authorize(self, exchange: Exchange) -> None:
        form = exchange.form()
        pos = self.points.get(form.get("client_id", ""))
        if (
            form.get("grant_type") != "client_credentials"
            or pos is None
            or not secrets.compare_digest(pos.client_secret, form.get("client_secret", ""))
        ):
            return exchange.json(
                401, {"error": "invalid_client", "error_description": "Bad client credentials"}
            )
        token = secrets.token_hex(16)
        self.tokens[token] = pos
        self.tokens_issued += 1
        return exchange.json(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": 43199,
                "grant_type": "client_credentials",
            },
        )

    def _authorized(self, exchange: Exchange, route) -> None:
        header = exchange.headers.get("Authorization", "")
        pos = self.tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if pos is None:
            return exchange.json(401, {"status": {"statusCode": "UNAUTHORIZED"}})
        return route(exchange, pos)

    @staticmethod
    def _error(exchange: Exchange, status: int, code: str, desc: str = "") -> None:
        exchange.json(status, {"status": {"statusCode": code, "statusDesc": desc}})

    def _create(self, exchange: Exchange, pos: PointOfSale) -> None:
        body = exchange.json_body()
        missing = [
            k
            for k in ("notifyUrl", "customerIp", "merchantPosId", "description", "currencyCode")
            if not body.get(k)
        ]
        if missing:
            return self._error(exchange, 400, "ERROR_VALUE_MISSING", missing[0])
        if str(body["merchantPosId"]) != str(pos.pos_id):
            return self._error(exchange, 403, "UNAUTHORIZED_REQUEST")
        amount = str(body.get("totalAmount", ""))
        if not amount.isdigit() or int(amount) <= 0:
            return self._error(exchange, 400, "ERROR_VALUE_INVALID", "totalAmount")
        if any(
            o.pos is pos and o.body.get("extOrderId") == body.get("extOrderId")
            for o in self.orders.values()
        ):
            return self._error(exchange, 400, "ERROR_ORDER_NOT_UNIQUE")
        method = (body.get("payMethods") or {}).get("payMethod") or {}
        blik = method.get("type") == "BLIK_AUTHORIZATION_CODE"
        code = str(method.get("value") or "")
        if blik and not pos.blik_codes:
            return self._error(exchange, 400, "ERROR_VALUE_INVALID", "PAY_METHOD_NOT_AVAILABLE")
        if blik and (len(code) != 6 or not code.isdigit()):
            return self._error(exchange, 400, "ERROR_VALUE_INVALID", "INVALID_BLIK_CODE")
        order_id = f"SIM{next(self._numbers):08d}GUEST000P01"
        self.orders[order_id] = Order(pos=pos, order_id=order_id, body=body)
        answer = {
            "status": {"statusCode": "SUCCESS"},
            "orderId": order_id,
            "extOrderId": body.get("extOrderId"),
        }
        if blik:  # the bank asks the customer; the answer comes at once, no page to open
            status = "CANCELED" if code == WRONG_BLIK_CODE else "COMPLETED"
            if status == "COMPLETED":
                threading.Thread(target=self.pay, args=(order_id,), daemon=True).start()
            else:
                threading.Thread(target=self.notify, args=(order_id, status), daemon=True).start()
            return exchange.json(201, answer)
        answer["redirectUri"] = f"{self.base_url}/pay/?orderId={order_id}"
        return exchange.json(302, answer, headers=[("Location", answer["redirectUri"])])

    def _retrieve(self, exchange: Exchange, pos: PointOfSale) -> None:
        order = self.orders.get(exchange.path.rsplit("/", 1)[-1])
        if order is None or order.pos is not pos:
            return self._error(exchange, 404, "DATA_NOT_FOUND")
        return exchange.json(
            200, {"orders": [self._order(order)], "status": {"statusCode": "SUCCESS"}}
        )

    def _page(self, exchange: Exchange) -> None:
        if exchange.method == "GET":
            order = self.orders.get(exchange.query.get("orderId", ""))
            if order is None:
                return self._error(exchange, 404, "DATA_NOT_FOUND")
            return payment_page(
                exchange,
                self.name,
                order.body.get("description", ""),
                int(order.body["totalAmount"]),
                order.body.get("currencyCode", "PLN"),
                lambda verb: f"/pay/{order.order_id}/{verb}",
            )
        parts = exchange.path.strip("/").split("/")
        order = self.orders.get(parts[1]) if len(parts) == 3 else None
        if order is None:
            return self._error(exchange, 404, "DATA_NOT_FOUND")
        if parts[2] == "pay":
            threading.Thread(target=self.pay, args=(order.order_id,), daemon=True).start()
        elif parts[2] == "refuse":
            threading.Thread(
                target=self.notify, args=(order.order_id, "CANCELED"), daemon=True
            ).start()
        return exchange.redirect(order.body.get("continueUrl") or "/")
