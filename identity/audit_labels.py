"""The audit log's details in words people read: "Changed by: anna.k", "Phone: 600… → 601…",
never a raw key or a dict (the office's log, the customer card and their CSV export)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access import Role
from core.logging import mask_pesel
from identity.models import AuthEvent, Document
from identity.office.settings import LABELS as SETTING_LABELS
from identity.office.settings import SECTIONS

FIELD_NAMES = {
    "phone": _("Phone"),
    "email": _("E-mail"),
    "pending_email": _("E-mail waiting for confirmation"),
    "address": _("Correspondence address"),
    "language": _("Language"),
    "role": _("Role"),
    "modules": _("Modules"),
}
FILTER_NAMES = {
    "kind": _("Event"),
    "who": _("Login"),
    "since": _("From"),
    "until": _("To"),
}
STAGES = {
    "login": _("at login"),
    "enrolment": _("when setting up"),
    "enrolment_refused": _("setting up refused: the current authenticator was not confirmed"),
    "replacement_current_code": _("replacing: the current authenticator's code was wrong"),
}
LABELS = {
    "actor": _("By"),
    "invited_by": _("Invited by"),
    "decided_by": _("Decided by"),
    "reason": _("Reason"),
    "role": _("Role"),
    "documents": _("Documents"),
    "stage": _("Stage"),
    "symbol": _("Customer symbol"),
    "key": _("Key"),
    "keys": _("Keys revoked"),
    "filters": _("Filters"),
}


def _document(key: str) -> str:
    """A document accepted, as the log keeps it ("regulations:v2"), in words."""
    kind, _colon, version = str(key).partition(":v")
    name = dict(Document.Kind.choices).get(kind, kind)
    return f"{name} ({_('version %(version)s') % {'version': version}})" if version else str(name)


def _value(key: str, value) -> str:
    if key == "documents" and isinstance(value, list):
        return ", ".join(_document(v) for v in value)
    if key == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if key == "filters" and isinstance(value, dict):
        kinds = dict(AuthEvent.Kind.choices)
        return ", ".join(
            f"{FILTER_NAMES.get(k, k)}: {kinds.get(v, v) if k == 'kind' else v}"
            for k, v in value.items()
        ) or str(_("none"))
    if key == "stage":
        return str(STAGES.get(value, value))
    if isinstance(value, list):
        return ", ".join(str(FIELD_NAMES.get(v, v)) for v in value)
    return str(value)


def _plain(value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _field_name(field: str) -> str:
    """A changed field in words: contact data by name, a tenant rule by its form's label."""
    if field in FIELD_NAMES:
        return str(FIELD_NAMES[field])
    group, _dot, name = field.partition(".")
    if name:
        section = SECTIONS.get(group, (group,))[0]
        return f"{section}: {SETTING_LABELS.get(name, name)}"
    return field


def detail_lines(details: dict | None) -> list[tuple[str, str]]:
    """(label, value) pairs of an audit row's details; a change as "old → new"."""
    lines: list[tuple[str, str]] = []
    for key, value in (details or {}).items():
        if key == "changes" and isinstance(value, dict):
            for field, pair in value.items():
                old, new = (list(pair) + ["", ""])[:2] if isinstance(pair, list) else ("", pair)
                if field == "role":
                    old, new = _value("role", old), _value("role", new)
                change = mask_pesel(f"{_plain(old) or '—'} → {_plain(new) or '—'}")
                lines.append((_field_name(field), change))
        elif key == "fields":
            continue  # said by the changes themselves (older rows: below)
        elif value not in (None, "", [], {}):
            lines.append((str(LABELS.get(key, _("Other"))), mask_pesel(_value(key, value))))
    if "fields" in (details or {}) and "changes" not in (details or {}):
        lines.append((str(_("Changed")), _value("fields", details["fields"])))
    return lines
