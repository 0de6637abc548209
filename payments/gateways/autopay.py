"""Autopay's online payments (formerly Blue Media): the customer is sent to ``/payment`` with the
order's fields and their ``Hash``; the gateway's ITN (instant transaction notification) is a
base64-encoded XML document in the ``transactions`` form field, parsed with entities and DTDs
refused, its ``hash`` checked over every value in the document's order; the shop answers with a
``confirmationList`` saying CONFIRMED or NOTCONFIRMED for each order, hashed the same way.

Every hash joins the values with ``|``, adds the service's shared key last, and is taken with
the algorithm set for the service in Autopay's panel (SHA-256 unless the tenant says otherwise).
The ITN's address is set for the service in Autopay's panel: the tenant's host, the order inside.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urlencode
from xml.etree import ElementTree

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from payments.gateways.base import (
    Gateway,
    GatewayUnavailable,
    Notice,
    Order,
    Refused,
    Registration,
    Reply,
    State,
    digest_equal,
)

PRODUCTION = "https://pay.autopay.eu"
SANDBOX = "https://testpay.autopay.eu"
TIMEOUT_SECONDS = 10
ALGORITHMS = ("sha256", "sha512", "sha1", "md5")
# The order's fields in the order the start's Hash takes them.
START_FIELDS = (
    "ServiceID",
    "OrderID",
    "Amount",
    "Description",
    "Currency",
    "CustomerEmail",
    "ReturnURL",
)
STATES = {"SUCCESS": State.PAID, "PENDING": State.PENDING, "FAILURE": State.FAILED}
MAX_ITN_BYTES = 65536


@dataclass(frozen=True)
class Credentials:
    service_id: int
    shared_key: str
    algorithm: str  # one of ALGORITHMS, as set for the service
    base_url: str


def hash_of(values, key: str, algorithm: str) -> str:
    text = "|".join([*(str(v) for v in values), key])
    return hashlib.new(algorithm, text.encode()).hexdigest()


def amount_text(grosze: int) -> str:
    return f"{grosze // 100}.{grosze % 100:02d}"


def leaf_values(element) -> list[str]:
    """Every element's text in the document's order, except the hash's own."""
    values = []
    for node in element.iter():
        if node.tag != "hash" and len(node) == 0 and node.text is not None:
            values.append(node.text.strip())
    return values


class Autopay(Gateway):
    notifies_per_payment = False

    def __init__(self, credentials: Credentials):
        self.credentials = credentials
        if credentials.algorithm not in ALGORITHMS:
            raise ValueError("an algorithm Autopay does not use")

    @property
    def _base(self) -> str:
        return self.credentials.base_url.rstrip("/")

    def _hash(self, values) -> str:
        return hash_of(values, self.credentials.shared_key, self.credentials.algorithm)

    def session_id(self, public_id: str) -> str:
        return public_id.replace("-", "")  # OrderID: at most 32 letters and digits

    def start_fields(self, order: Order) -> dict[str, str]:
        fields = {
            "ServiceID": str(self.credentials.service_id),
            "OrderID": self.session_id(order.public_id),
            "Amount": amount_text(order.amount),
            "Description": order.description[:79],
            "Currency": order.currency,
            "CustomerEmail": order.email[:60],
            "ReturnURL": order.return_url,
        }
        fields = {k: v for k, v in fields.items() if v}
        fields["Hash"] = self._hash(fields[k] for k in START_FIELDS if k in fields)
        return fields

    def register(self, order: Order) -> Registration:
        """Nothing to call: the customer's browser starts the payment with the hashed fields."""
        if order.blik_code:
            raise Refused("a BLIK code is not taken on our page through Autopay")
        return Registration(
            token="", redirect_url=f"{self._base}/payment?{urlencode(self.start_fields(order))}"
        )

    def page_origins(self) -> list[str]:
        return [self._base]

    def test_access(self) -> bool:
        """Whether Autopay takes this service's key: a status question about an order nobody
        made is answered (with "no such order"), not refused."""
        try:
            self._status("00000000000000000000000000000000")
        except Refused:
            return False
        return True

    def _document(self, raw: bytes):
        if len(raw) > MAX_ITN_BYTES:
            raise Refused("too large")
        form = parse_qs(raw.decode("ascii", errors="replace"))
        try:  # a "+" sent unescaped arrives as a space
            xml = base64.b64decode(form["transactions"][0].replace(" ", "+"), validate=True)
        except (KeyError, IndexError, binascii.Error, ValueError) as exc:
            raise Refused("no transactions field") from exc
        try:
            return fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DefusedXmlException, ElementTree.ParseError) as exc:
            raise Refused(f"not a plain XML document ({type(exc).__name__})") from exc

    def notifications(self, raw: bytes, headers: dict[str, str]) -> list[Notice]:
        return self._transactions(self._document(raw))

    def _transactions(self, root) -> list[Notice]:
        """The transactions of a ``transactionList`` whose hash holds; else Refused."""
        if root.tag != "transactionList":
            raise Refused("not a transaction list")
        if not digest_equal(self._hash(leaf_values(root)), root.findtext("hash") or ""):
            raise Refused("the hash does not match")
        if (root.findtext("serviceID") or "").strip() != str(self.credentials.service_id):
            raise Refused("another service's notification")
        notices = []
        for item in root.iterfind("transactions/transaction"):
            try:
                amount = Decimal((item.findtext("amount") or "").strip())
                grosze = int(amount * 100)
                if grosze != amount * 100 or grosze <= 0:
                    raise ValueError
                status = (item.findtext("paymentStatus") or "").strip()
                notices.append(
                    Notice(
                        session_id=(item.findtext("orderID") or "").strip(),
                        transaction_id=(item.findtext("remoteID") or "").strip(),
                        amount=grosze,
                        currency=(item.findtext("currency") or "").strip(),
                        state=STATES[status],
                        method=(item.findtext("gatewayID") or "").strip()[:32],
                        detail=status,
                    )
                )
            except (InvalidOperation, ValueError, KeyError) as exc:
                raise Refused("a transaction the protocol does not describe") from exc
        if not notices or any(not n.session_id or not n.transaction_id for n in notices):
            raise Refused("no transaction")
        return notices

    def _status(self, order_id: str):
        """``webapi/transactionStatus``: the order's transactions as an XML document (or an
        error document when there are none); Refused when the service or hash is not taken."""
        fields = {"ServiceID": str(self.credentials.service_id), "OrderID": order_id}
        fields["Hash"] = self._hash(fields.values())
        try:
            response = requests.post(
                self._base + "/webapi/transactionStatus",
                data=fields,
                headers={"BmHeader": "pay-bm"},
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise Refused(f"HTTP {response.status_code}")
        try:
            return fromstring(
                response.content, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
        except (DefusedXmlException, ElementTree.ParseError) as exc:
            raise GatewayUnavailable("an answer that is not plain XML") from exc

    def lookup(self, session_id: str, token: str) -> Notice | None:
        """The order's transactions as the status question lists them: the paid one if any,
        else the latest; None when Autopay knows none."""
        try:
            root = self._status(session_id)
        except Refused:
            return None
        if root.tag != "transactionList":
            return None  # an error document: no transaction in this order
        try:
            notices = [n for n in self._transactions(root) if n.session_id == session_id]
        except Refused as exc:
            raise GatewayUnavailable(f"an answer not to be trusted: {exc}") from exc
        paid = [n for n in notices if n.state == State.PAID]
        if paid:
            return paid[-1]
        return notices[-1] if notices else None

    def _confirmation(self, orders: list[tuple[str, bool]]) -> Reply:
        service = str(self.credentials.service_id)
        root = ElementTree.Element("confirmationList")
        ElementTree.SubElement(root, "serviceID").text = service
        listed = ElementTree.SubElement(root, "transactionsConfirmations")
        values = [service]
        for order_id, ok in orders:
            item = ElementTree.SubElement(listed, "transactionConfirmed")
            ElementTree.SubElement(item, "orderID").text = order_id
            word = "CONFIRMED" if ok else "NOTCONFIRMED"
            ElementTree.SubElement(item, "confirmation").text = word
            values += [order_id, word]
        ElementTree.SubElement(root, "hash").text = self._hash(values)
        body = ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
        return Reply(200, body, "application/xml; charset=utf-8")

    def answer(self, results: list[tuple[Notice, bool | None]]) -> Reply:
        """CONFIRMED for each order taken; NOTCONFIRMED (Autopay sends it again) for the rest."""
        return self._confirmation([(n.session_id, bool(ok)) for n, ok in results])

    def refusal(self, raw: bytes) -> Reply:
        """NOTCONFIRMED for each order the (unproven) document names, when it can be read at
        all; else a plain 400."""
        try:
            root = self._document(raw)
        except Refused:
            return Reply(400)
        orders = [
            (text.strip(), False)
            for text in (n.text for n in root.iterfind("transactions/transaction/orderID"))
            if text and text.strip().isalnum() and len(text.strip()) <= 32
        ]
        return self._confirmation(orders) if orders else Reply(400)
