"""What the apps add to the customer's portal, registered in their AppConfig.ready(): the page
each module of a tenant's configuration opens (the navigation, the home page and the dashboard
link there). The core names no app; a module whose app registered no page is not shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

_MODULE_PAGES: dict[str, str] = {}
# A module whose page works only once the tenant has set something up (online payments need a
# merchant account): asked before the page is linked.
_MODULE_READY: dict[str, Callable[[], bool]] = {}


def register_module_page(
    module: str, url_name: str, *, ready: Callable[[], bool] | None = None
) -> None:
    """``module`` (a tenants.policies.Module value) is shown at the URL named ``url_name``
    (when ``ready`` says so, if given)."""
    _MODULE_PAGES[str(module)] = url_name
    if ready is not None:
        _MODULE_READY[str(module)] = ready


def module_url(module: str, request: Any = None) -> str | None:
    """The page of ``module``, or None when no app offers one (or it is not ready). With
    ``request``, whether a module is ready is asked once per request (the navigation, the
    summary and the invoices page all want to know)."""
    name = _MODULE_PAGES.get(str(module))
    if name is None:
        return None
    ready = _MODULE_READY.get(str(module))
    if ready is not None:
        known = request.__dict__.setdefault("_portal_ready", {}) if request is not None else {}
        if str(module) not in known:
            known[str(module)] = ready()
        if not known[str(module)]:
            return None
    return reverse(name)


def has_page(module: str) -> bool:
    return str(module) in _MODULE_PAGES


@dataclass(frozen=True)
class OfficeEntry:
    """A card on the back-office's home page: the page it opens, its title, the permission a
    member of staff needs to see it, and what waits there (a count), if anything."""

    url_name: str
    title: object  # a lazy translation
    permission: str
    count: Callable[[], int] | None = None
    # Shown only when the tenant offers one of these modules (none: always).
    modules: tuple[str, ...] = ()
    # And only when the tenant's configuration says so (a rule it has switched on).
    when: Callable[[Any], bool] | None = None

    def offered(self, config) -> bool:
        if self.when is not None and not self.when(config):
            return False
        return not self.modules or config.offers_any(*self.modules)


_OFFICE_ENTRIES: list[OfficeEntry] = []


def register_office_entry(entry: OfficeEntry) -> None:
    if all(e.url_name != entry.url_name for e in _OFFICE_ENTRIES):
        _OFFICE_ENTRIES.append(entry)


def office_entries() -> list[OfficeEntry]:
    return list(_OFFICE_ENTRIES)


@dataclass(frozen=True)
class Notice:
    """Something waiting for the customer, shown on top of the summary page (a reading to send,
    a leak's signs): what it says, where to act, and whether it warns."""

    text: str
    url: str | None = None
    warning: bool = False
    link_text: str = ""  # what the link says ("Open" when empty)


# (tenant configuration, acting user, a manager's focus) -> the notices of one app.
NoticeSource = Callable[[Any, Any, Any], list[Notice]]
_NOTICE_SOURCES: list[NoticeSource] = []


def register_notices(source: NoticeSource) -> None:
    if source not in _NOTICE_SOURCES:
        _NOTICE_SOURCES.append(source)


def notices(config, actor, focus) -> list[Notice]:
    """Every app's notices for ``actor``, warnings first."""
    found = [n for source in _NOTICE_SOURCES for n in source(config, actor, focus)]
    return sorted(found, key=lambda n: not n.warning)


@dataclass(frozen=True)
class CardPanel:
    """A panel of the office's customer card, added by the app whose data it shows: its title,
    its template, and ``context(customer, actor)``, the template's context (None: nothing to
    show for this customer). ``permission`` is what a member of staff needs to see it (the
    financial panels ask more than the card itself); ``modules``, as for office entries."""

    key: str
    title: object  # a lazy translation
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100
    permission: str = "customers.view"
    modules: tuple[str, ...] = ()

    def offered(self, config) -> bool:
        return not self.modules or config.offers_any(*self.modules)


_CARD_PANELS: dict[str, CardPanel] = {}


def register_card_panel(panel: CardPanel) -> None:
    _CARD_PANELS[panel.key] = panel


def card_panels() -> list[CardPanel]:
    return sorted(_CARD_PANELS.values(), key=lambda p: (p.order, p.key))
