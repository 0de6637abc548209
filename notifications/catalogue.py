"""The catalogue of events a customer may be told of, extended by each app in its
AppConfig.ready(): what happened, under which heading the customer chooses, whether they may
switch it off, whether it may wait for the daily digest, and the channels it uses by default.
A tenant offers an event when it offers one of its modules (none: always)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    code: str
    title: Any  # a lazy translation
    group: Any  # the heading it is chosen under (a lazy translation)
    # The e-mail template (core.outbox.rendering) and the SMS text template
    # (notifications/sms/<code>.txt), both rendered in the recipient's language.
    template: str
    # Account security: always sent by e-mail, whatever the customer chose.
    mandatory: bool = False
    # Urgent news goes out at once even for a customer who takes the daily digest.
    urgent: bool = False
    email: bool = True
    sms: bool = False
    modules: tuple[str, ...] = ()
    # Shown to customers in the portal and the API (staff's own notices are not).
    for_customers: bool = True
    # The consent it needs (identity.models.ConsentPurpose, e.g. marketing): sent only to those
    # whose consent stands, and offered only where the organisation asks for that consent.
    consent: str = ""

    def offered(self, config) -> bool:
        return not self.modules or config.offers_any(*self.modules)


_EVENTS: dict[str, Event] = {}


def register_event(event: Event) -> None:
    _EVENTS[event.code] = event


def event(code: str) -> Event:
    """The event ``code``; KeyError for one no app registered."""
    return _EVENTS[code]


def events(config=None) -> list[Event]:
    """The catalogue in registration order; with ``config``, only what that tenant offers."""
    return [e for e in _EVENTS.values() if config is None or e.offered(config)]
