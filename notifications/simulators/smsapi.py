"""A local SMSAPI.pl: ``POST /sms.do`` with a bearer token answers as the provider does (HTTP
200 with ``{"count", "list"}`` or ``{"error", "message"}``), refuses what it refuses (101 a
wrong token, 14 a sender not registered, 13 no valid number, 11 an empty or too long text, 12
more parts than ``max_parts``, 27 a long ``idx``, 53 an ``idx`` used before with
``check_idx=1``), keeps what it accepted, and reports each message's delivery to its
``notify_url`` by GET with comma-separated lists of up to five reports, expecting ``OK``.
``GET /profile`` answers for a valid token. Numbers listed in ``unreachable`` are reported
UNDELIVERED; ``fail_next`` answers that many requests with HTTP 500."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from core.simulators import Exchange, ProtocolSimulator
from notifications.sms import length, parts

SENDER_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-. ")


@dataclass
class Account:
    token: str
    username: str
    senders: tuple[str, ...] = ()
    points: float = 1000.0


@dataclass
class Sms:
    id: str
    number: str
    text: str
    sender: str
    idx: str
    parts: int
    notify_url: str
    username: str
    date_sent: int
    report: str = "QUEUE"
    reported: list[str] = field(default_factory=list)


class Simulator(ProtocolSimulator):
    name = "smsapi"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts: dict[str, Account] = {}
        self.messages: list[Sms] = []
        self.idx_seen: set[tuple[str, str]] = set()
        self.unreachable: set[str] = set()
        self.fail_next = 0
        self.report_delay = 0.05
        self.reports_answered: list[str] = []

    def add_account(self, *, token: str, username: str = "", senders=(), points=1000.0):
        with self._lock:
            self.accounts[token] = Account(
                token=token,
                username=username or f"user{len(self.accounts) + 1}",
                senders=tuple(senders),
                points=points,
            )
        return self.accounts[token]

    def sent_to(self, number: str) -> list[Sms]:
        with self._lock:
            return [m for m in self.messages if m.number == number]

    # The protocol.

    def handle(self, exchange: Exchange) -> bool:
        if exchange.path == "/sms.do" and exchange.method == "POST":
            self._send(exchange)
            return True
        if exchange.path == "/profile" and exchange.method == "GET":
            account = self._account(exchange)
            if account is None:
                exchange.json(401, {"message": "Authorization failed", "error": "invalid_token"})
            else:
                exchange.json(200, {"username": account.username, "points": account.points})
            return True
        return False

    def _account(self, exchange: Exchange) -> Account | None:
        header = exchange.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        return self.accounts.get(token) if token else None

    @staticmethod
    def _error(exchange: Exchange, code: int, message: str, **extra) -> None:
        exchange.json(200, {"error": code, "message": message, **extra})

    def _params(self, exchange: Exchange) -> dict[str, str]:
        content_type = exchange.headers.get("Content-Type") or ""
        body = exchange.json_body() if "json" in content_type else exchange.form()
        return {**exchange.query, **{k: str(v) for k, v in body.items()}}

    def _send(self, exchange: Exchange) -> None:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                exchange.send(500, b"Internal Server Error", "text/plain")
                return
        account = self._account(exchange)
        if account is None:
            return self._error(exchange, 101, "Authorization failed")
        params = self._params(exchange)
        sender = params.get("from", "")
        if sender and (sender not in account.senders or not set(sender) <= SENDER_CHARS):
            return self._error(exchange, 14, "Invalid sender field")
        numbers = [n.strip().lstrip("+") for n in params.get("to", "").split(",") if n.strip()]
        invalid = [n for n in numbers if not (n.isdigit() and 9 <= len(n) <= 15)]
        if not numbers or invalid:
            return self._error(
                exchange,
                13,
                "No correct phone numbers",
                invalid_numbers=[
                    {"number": n, "submitted_number": n, "message": "Invalid phone number"}
                    for n in invalid
                ],
            )
        text = params.get("message", "")
        units, gsm = length(text)
        if not text or units > (918 if gsm else 402):
            return self._error(exchange, 11, "Message too long or there is no message")
        count = parts(text)
        if count > int(params.get("max_parts") or 10):
            return self._error(exchange, 12, "Message has more parts than defined in max_parts")
        idx = params.get("idx", "")
        if len(idx) > 255:
            return self._error(exchange, 27, "Too long IDX")
        test = params.get("test") == "1"
        now = int(time.time())
        with self._lock:
            if idx and params.get("check_idx") == "1" and (account.token, idx) in self.idx_seen:
                return self._error(exchange, 53, "Not unique idx")
            listed = []
            for number in numbers:
                message = Sms(
                    id=secrets.token_hex(12).upper(),
                    number=number,
                    text=text,
                    sender=sender or "Test",
                    idx=idx,
                    parts=count,
                    notify_url=params.get("notify_url", ""),
                    username=account.username,
                    date_sent=now,
                )
                listed.append(message)
            if not test:
                if idx:
                    self.idx_seen.add((account.token, idx))
                self.messages.extend(listed)
                account.points -= 0.16 * count * len(listed)
        answer = {
            "count": len(listed),
            "list": [
                {
                    "id": m.id,
                    "points": round(0.16 * count, 4),
                    "number": m.number,
                    "date_sent": m.date_sent,
                    "submitted_number": m.number,
                    "status": "QUEUE",
                    "error": None,
                    "idx": idx or None,
                    "parts": count,
                }
                for m in listed
            ],
        }
        if params.get("details") == "1":
            answer.update({"message": text, "length": units, "parts": count})
        exchange.json(200, answer)
        if not test:
            threading.Thread(target=self._report, args=(listed,), daemon=True).start()
        return None

    def _report(self, messages: list[Sms]) -> None:
        """The operator's answers: DELIVERED, or UNDELIVERED for an unreachable number, sent
        to each message's notify_url, up to five in one GET."""
        time.sleep(self.report_delay)
        by_url: dict[str, list[Sms]] = {}
        for message in messages:
            message.report = "UNDELIVERED" if message.number in self.unreachable else "DELIVERED"
            if message.notify_url:
                by_url.setdefault(message.notify_url, []).append(message)
        for batch in by_url.values():
            for start in range(0, len(batch), 5):
                group = batch[start : start + 5]
                answer = self._get(self.report_url(group))
                with self._lock:
                    self.reports_answered.append(answer)
                    for m in group:
                        m.reported.append(answer)

    def report_url(self, group: list[Sms]) -> str:
        """The address one report call goes to: the messages' notify_url with comma-separated
        ``MsgId``, ``status`` (404 DELIVERED, 405 UNDELIVERED), ``idx``, ``donedate``."""
        url = group[0].notify_url
        query = urlencode(
            {
                "MsgId": ",".join(m.id for m in group),
                "status": ",".join("405" if m.number in self.unreachable else "404" for m in group),
                "idx": ",".join(m.idx for m in group),
                "donedate": ",".join(str(int(time.time())) for _m in group),
                "username": group[0].username,
                "to": ",".join(m.number for m in group),
            }
        )
        return f"{url}{'&' if '?' in url else '?'}{query}"

    def _get(self, url: str) -> str:
        response = self.send(url, method="GET")
        return response.text if response is not None else ""
