"""What other apps add to the customer's account page: billing shows the customer records the
account holds (symbol, membership number, the address on record); notifications links the page
of notices. Registered in the apps' AppConfig.ready, so identity imports nothing of theirs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[tuple[str, str]]


_SECTIONS: list[Callable] = []


def register_section(provider: Callable) -> None:
    """``provider(user)`` returns the sections it has for ``user`` (a list, maybe empty)."""
    if provider not in _SECTIONS:
        _SECTIONS.append(provider)


def sections(user) -> list[Section]:
    return [section for provider in _SECTIONS for section in provider(user)]


@dataclass(frozen=True)
class Link:
    url_name: str
    title: object  # a lazy translation
    roles: frozenset[str]


_LINKS: list[Link] = []


def register_link(link: Link) -> None:
    """A page of the account shown to ``link.roles`` (a button on the account page)."""
    if all(known.url_name != link.url_name for known in _LINKS):
        _LINKS.append(link)


def links(user) -> list[Link]:
    return [link for link in _LINKS if user.role in link.roles]
