"""What every gateway's protocol module gives the payments service, whatever its protocol: an
order registered (and where to send the customer), the notifications of one delivery checked
and read, the answer the gateway expects, a payment confirmed when the protocol asks for it,
and what the gateway knows of a payment when its notification is late.

A module keeps its protocol to itself: signatures, hashes, tokens and formats never leave it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum


class GatewayUnavailable(Exception):
    """The gateway did not answer in time, or not as its protocol says."""


class Refused(Exception):
    """The gateway refused, or a message is not the gateway's (the reason, for the log; never a
    secret)."""


class State(StrEnum):
    PAID = "paid"  # the money is taken (after ``confirm`` where the protocol asks for it)
    PENDING = "pending"  # nothing decided yet
    FAILED = "failed"  # not paid: refused, cancelled, expired


@dataclass(frozen=True)
class Order:
    """A payment to register with the gateway."""

    public_id: str  # the payment's UUID (each gateway writes it as its protocol allows)
    amount: int  # grosze
    currency: str
    description: str
    email: str
    language: str
    return_url: str
    notify_url: str
    customer_ip: str = "127.0.0.1"
    user_agent: str = ""
    blik_code: str = ""  # six digits typed on our page: no gateway page to open


@dataclass(frozen=True)
class Registration:
    token: str  # the gateway's reference of the order (kept, for status questions)
    redirect_url: str | None  # None: nothing to open (a BLIK code is confirmed in the bank app)


@dataclass(frozen=True)
class Notice:
    """What the gateway says of one payment, its signature already checked."""

    session_id: str  # our payment's id as the gateway was given it
    transaction_id: str  # the gateway's own, unique per gateway
    amount: int  # grosze
    currency: str
    state: State
    method: str = ""
    detail: str = ""  # the gateway's own status word, for the log
    confirmation: dict | None = None  # what ``confirm`` needs, for protocols that confirm


@dataclass(frozen=True)
class Reply:
    """The HTTP answer to a notification, as the gateway's protocol expects it."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


def digest_equal(expected: str, given: str) -> bool:
    """Constant-time comparison of two hex digests (case-insensitive, as gateways vary)."""
    return hmac.compare_digest(expected.lower().encode(), given.strip().lower().encode())


class Gateway:
    """One merchant account's client. Subclasses speak one gateway's protocol."""

    #: Whether a BLIK code typed on our own page can pay through this account.
    takes_blik_code = False
    #: Whether each payment gets its own notify URL (else one URL per account, set at the
    #: gateway, and the payment is named inside the notification).
    notifies_per_payment = True

    def test_access(self) -> bool:
        raise NotImplementedError

    def register(self, order: Order) -> Registration:
        raise NotImplementedError

    def page_origins(self) -> list[str]:
        """The origins of the gateway's payment pages (the pay form's answer leads there)."""
        raise NotImplementedError

    def session_id(self, public_id: str) -> str:
        """Our payment's id as this gateway carries it."""
        return public_id

    def notifications(self, raw: bytes, headers: dict[str, str]) -> list[Notice]:
        """The notices of one delivery when it is this merchant's and its signature holds;
        else Refused."""
        raise NotImplementedError

    def confirm(self, notice: Notice) -> None:
        """Completes a paid notice where the protocol asks for it (Przelewy24's verify)."""

    def lookup(self, session_id: str, token: str) -> Notice | None:
        """What the gateway knows of a payment now (None: nothing paid there)."""
        raise NotImplementedError

    def answer(self, results: list[tuple[Notice, bool | None]]) -> Reply:
        """The answer to a delivery whose notices were each taken (True), refused (False) or
        could not be confirmed now (None: the gateway is asked to send it again)."""
        if any(ok is None for _n, ok in results):
            return Reply(503)
        return Reply(200, b"OK") if all(ok for _n, ok in results) else Reply(400)

    def refusal(self, raw: bytes) -> Reply:
        """The answer to a delivery refused as a whole."""
        return Reply(400)
