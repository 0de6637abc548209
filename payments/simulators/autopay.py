"""A local Autopay (Blue Media) that speaks its protocol over HTTP, for development and tests: the
payment start at ``/payment`` checked by its ``Hash`` with the service's shared key and
algorithm, a payment page with "pay", "refuse" and "abandon", the ITN (base64 XML in the
``transactions`` field) posted to the service's ITN address, its confirmation checked (an ITN
not CONFIRMED is counted, as Autopay would send it again), and ``webapi/transactionStatus``."""

from __future__ import annotations

import base64
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode, urljoin
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from payments.gateways.autopay import START_FIELDS, hash_of, leaf_values
from payments.simulators.base import Exchange, GatewaySimulator, payment_page


@dataclass
class Service:
    service_id: int
    shared_key: str
    algorithm: str = "sha256"
    # Set in Autopay's panel; a path alone (the demo's) is taken at the shop's own address, the
    # origin of the transaction's ReturnURL.
    itn_url: str = ""


@dataclass
class Transaction:
    service: Service
    fields: dict
    remote_id: str
    status: str = "PENDING"
    confirmations: list[str] = field(default_factory=list)  # CONFIRMED / NOTCONFIRMED / ""


class Simulator(GatewaySimulator):
    name = "Autopay"

    def __init__(self, port: int = 0, server=None):
        super().__init__(port, server)
        self.services: dict[int, Service] = {}
        self.transactions: dict[tuple[int, str], Transaction] = {}
        self._remote = itertools.count(1)

    def add_service(self, **values) -> Service:
        service = Service(**values)
        self.services[service.service_id] = service
        return service

    def _hash(self, service: Service, values) -> str:
        return hash_of(values, service.shared_key, service.algorithm)

    # What the payment page's buttons do.

    def pay(self, service_id: int, order_id: str, *, times: int = 1, delay=0.0) -> list[str]:
        return self.notify(service_id, order_id, "SUCCESS", times=times, delay=delay)

    def notify(
        self, service_id: int, order_id: str, status: str, *, times: int = 1, delay=0.0
    ) -> list[str]:
        """The transaction takes ``status``; the ITN is sent ``times`` at once after ``delay``;
        returns the confirmations the shop answered ("" where it answered none)."""
        t = self.transactions[(service_id, order_id)]
        t.status = status
        if delay:
            time.sleep(delay)
        body = self.itn_form(service_id, order_id)
        results = self.at_once(times, lambda: self._deliver(t, body))
        t.confirmations.extend(results)
        return results

    def _deliver(self, t: Transaction, body: dict) -> str:
        url = urljoin(t.fields.get("ReturnURL") or "", t.service.itn_url)
        response = self.send(url, data=body)
        try:
            root = fromstring(response.content)
            word = root.findtext("transactionsConfirmations/transactionConfirmed/confirmation")
            good = root.findtext("hash") == self._hash(t.service, leaf_values(root))
        except (AttributeError, ValueError, ElementTree.ParseError, DefusedXmlException):
            return ""  # no answer, or not a confirmation: nothing confirmed
        return (word or "") if good else "BADHASH"

    def itn_document(self, service_id: int, order_id: str, **changed) -> bytes:
        """The ITN's XML for the transaction's present status, hashed with the service's key
        (``changed`` elements applied after hashing, to forge one)."""
        t = self.transactions[(service_id, order_id)]
        root = self._list(t)
        for name, value in changed.items():
            root.find(f"transactions/transaction/{name}").text = value
        return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)

    def itn_form(self, service_id: int, order_id: str, **changed) -> dict:
        document = self.itn_document(service_id, order_id, **changed)
        return {"transactions": base64.b64encode(document).decode()}

    def _list(self, t: Transaction) -> ElementTree.Element:
        root = ElementTree.Element("transactionList")
        ElementTree.SubElement(root, "serviceID").text = str(t.service.service_id)
        item = ElementTree.SubElement(ElementTree.SubElement(root, "transactions"), "transaction")
        for name, value in (
            ("orderID", t.fields["OrderID"]),
            ("remoteID", t.remote_id),
            ("amount", t.fields["Amount"]),
            ("currency", t.fields.get("Currency", "PLN")),
            ("gatewayID", "106"),
            ("paymentDate", datetime.now(ZoneInfo("Europe/Warsaw")).strftime("%Y%m%d%H%M%S")),
            ("paymentStatus", t.status),
            ("paymentStatusDetails", "AUTHORIZED" if t.status == "SUCCESS" else "INCORRECT"),
        ):
            ElementTree.SubElement(item, name).text = value
        ElementTree.SubElement(root, "hash").text = self._hash(t.service, leaf_values(root))
        return root

    def handle(self, exchange: Exchange) -> bool:
        path = exchange.path
        if path == "/payment":
            self._start(exchange)
        elif path.startswith("/payment/") and exchange.method == "POST":
            self._button(exchange)
        elif path == "/webapi/transactionStatus" and exchange.method == "POST":
            self._status(exchange)
        else:
            return False
        return True

    def _error(self, exchange: Exchange, status: int, name: str) -> None:
        body = f'<?xml version="1.0" encoding="UTF-8"?><error><name>{name}</name></error>'
        exchange.send(status, body.encode(), "application/xml")

    def _start(self, exchange: Exchange) -> None:
        fields = exchange.query if exchange.method == "GET" else exchange.form()
        try:
            service = self.services[int(fields["ServiceID"])]
            expected = self._hash(service, [fields[k] for k in START_FIELDS if k in fields])
            good = secrets.compare_digest(expected, fields.get("Hash", ""))
        except (KeyError, ValueError):
            good = False
        order_id = fields.get("OrderID", "")
        if not good or not order_id.isalnum() or len(order_id) > 32:
            return self._error(exchange, 400, "WRONG_HASH_OR_SERVICE")
        key = (service.service_id, order_id)
        t = self.transactions.get(key)
        if t is None:
            t = self.transactions[key] = Transaction(
                service=service, fields=fields, remote_id=f"SIM{next(self._remote):08d}"
            )
        try:
            grosze = int(Decimal(t.fields["Amount"]) * 100)
        except ArithmeticError:
            return self._error(exchange, 400, "WRONG_AMOUNT")
        return payment_page(
            exchange,
            self.name,
            t.fields.get("Description", ""),
            grosze,
            t.fields.get("Currency", "PLN"),
            lambda verb: f"/payment/{service.service_id}/{order_id}/{verb}",
        )

    def _button(self, exchange: Exchange) -> None:
        parts = exchange.path.strip("/").split("/")
        try:
            t = self.transactions[(int(parts[1]), parts[2])]
            verb = parts[3]
        except (IndexError, KeyError, ValueError):
            return self._error(exchange, 404, "NOT_FOUND")
        status = {"pay": "SUCCESS", "refuse": "FAILURE"}.get(verb)
        if status:
            threading.Thread(
                target=self.notify,
                args=(t.service.service_id, t.fields["OrderID"], status),
                daemon=True,
            ).start()
        back = {"ServiceID": str(t.service.service_id), "OrderID": t.fields["OrderID"]}
        back["Hash"] = self._hash(t.service, back.values())
        return_url = t.fields.get("ReturnURL") or "/"
        return exchange.redirect(f"{return_url}?{urlencode(back)}")

    def _status(self, exchange: Exchange) -> None:
        fields = exchange.form()
        try:
            service = self.services[int(fields["ServiceID"])]
            expected = self._hash(service, [fields["ServiceID"], fields["OrderID"]])
            good = secrets.compare_digest(expected, fields.get("Hash", ""))
        except (KeyError, ValueError):
            good = False
        if not good or exchange.headers.get("BmHeader") != "pay-bm":
            return self._error(exchange, 403, "WRONG_HASH_OR_SERVICE")
        t = self.transactions.get((service.service_id, fields["OrderID"]))
        if t is None:
            return self._error(exchange, 200, "ORDER_NOT_FOUND")
        body = ElementTree.tostring(self._list(t), encoding="UTF-8", xml_declaration=True)
        return exchange.send(200, body, "application/xml")
