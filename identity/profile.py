"""Sections other apps add to the customer's account page: billing shows the customer records
the account holds (symbol, membership number, the address on record). Registered in the apps'
AppConfig.ready, so identity imports nothing of theirs."""

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
