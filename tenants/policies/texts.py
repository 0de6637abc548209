"""A tenant's own words in each language (Polish standing in for an empty one)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.utils import translation
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LocalText:
    """A tenant's own words in each of the platform's languages. Polish is the tenant's first
    language and stands in for a language left empty. In a template (or ``str()``) it is the
    text of the active language; stored as ``{"pl": …, "en": …, "uk": …}`` (a plain string,
    as stored before, is read as the Polish text)."""

    pl: str = ""
    en: str = ""
    uk: str = ""

    def in_language(self, language: str | None) -> str:
        code = (language or "pl").split("-")[0]
        own = getattr(self, code, "") if code in ("pl", "en", "uk") else ""
        return own or self.pl

    def __str__(self) -> str:
        return self.in_language(translation.get_language())

    def __bool__(self) -> bool:
        return bool(self.pl or self.en or self.uk)

    def problems(self) -> dict[str, str]:
        if (self.en or self.uk) and not self.pl:
            return {"pl": str(_("The Polish text is required: it stands in for the others."))}
        return {}


def _texts_from_strings(value) -> None:
    """Let a tenant text be given as a plain (Polish) string, as presets and older settings do."""
    for f in fields(value):
        if f.type in ("LocalText", LocalText) and isinstance(getattr(value, f.name), str):
            object.__setattr__(value, f.name, LocalText(pl=getattr(value, f.name)))


def _text_problems(value) -> dict[str, str]:
    out = {}
    for f in fields(value):
        item = getattr(value, f.name)
        if isinstance(item, LocalText):
            out.update({f"{f.name}.{k}": v for k, v in item.problems().items()})
    return out
