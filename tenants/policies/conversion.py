"""Settings between their typed values and JSON, addressed by path
(``password_policy.min_length``), with the limits each type declares."""

from __future__ import annotations

import dataclasses
import weakref
from dataclasses import fields
from enum import StrEnum
from typing import Any, get_args, get_origin, get_type_hints

from django.utils.translation import gettext_lazy as _

from tenants.policies.enums import Language, LoginIdentifier, Module, PolicyError
from tenants.policies.groups import (
    AccessibilityDeclaration,
    AccessPolicy,
    Branding,
    CorrespondenceSettings,
    LinkPolicy,
    LockoutPolicy,
    MeteringSettings,
    NotificationSettings,
    PasswordPolicy,
    PayeeSettings,
    RegistrationSettings,
    SessionPolicy,
    TenantConfig,
    Wording,
)
from tenants.policies.texts import LocalText


def setting_limits(key: str) -> tuple[int, int] | None:
    """The bounds of a numeric setting (``password_policy.min_length`` → (6, 64)), from the
    policy's own type: forms show them and every writer is held to them by ``problems()``."""
    group, _sep, name = key.partition(".")
    return getattr(GROUPS.get(group), "LIMITS", {}).get(name)


def dump(value: Any, *, texts_in: str | None = None) -> Any:
    """A typed value as plain JSON data. With ``texts_in`` (a language), a tenant's texts are
    given in that language, as the public API shows them; else with every language, as stored."""
    if texts_in and isinstance(value, LocalText):
        return value.in_language(texts_in)
    if dataclasses.is_dataclass(value):
        return {f.name: dump(getattr(value, f.name), texts_in=texts_in) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [dump(v, texts_in=texts_in) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


def load(cls: type, data: Any) -> Any:
    """JSON data as a typed value of ``cls``; raises PolicyError on wrong types or values."""
    try:
        return _load(cls, data, path="")
    except PolicyError:
        raise
    except (TypeError, ValueError) as exc:
        raise PolicyError({"": str(exc)}) from exc


def _load(tp: Any, data: Any, path: str) -> Any:
    if tp is LocalText and isinstance(data, str):
        return LocalText(pl=data)
    if dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise PolicyError({path or "value": str(_("An object is expected."))})
        hints = get_type_hints(tp)
        known = {f.name for f in fields(tp)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PolicyError({f"{path}{unknown[0]}": str(_("Unknown setting."))})
        kwargs = {name: _load(hints[name], value, f"{path}{name}.") for name, value in data.items()}
        try:
            return tp(**kwargs)  # type: ignore[operator]  # tp is a dataclass type here
        except TypeError as exc:
            raise PolicyError({path or "value": str(exc)}) from exc
    origin = get_origin(tp)
    if origin is tuple:
        item_type = get_args(tp)[0]
        if not isinstance(data, list | tuple):
            raise PolicyError({path.rstrip(".") or "value": str(_("A list is expected."))})
        return tuple(_load(item_type, item, path) for item in data)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        try:
            return tp(data)
        except ValueError as exc:
            raise PolicyError(
                {path.rstrip(".") or "value": str(_("Not an allowed value: %(v)s.")) % {"v": data}}
            ) from exc
    if tp is bool:
        if not isinstance(data, bool):
            raise PolicyError({path.rstrip(".") or "value": str(_("Yes or no is expected."))})
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise PolicyError({path.rstrip(".") or "value": str(_("A whole number is expected."))})
        return data
    if tp is str:
        if not isinstance(data, str):
            raise PolicyError({path.rstrip(".") or "value": str(_("Text is expected."))})
        return data
    raise TypeError(f"unsupported setting type {tp!r}")


GROUPS: dict[str, type] = {
    "branding": Branding,
    "password_policy": PasswordPolicy,
    "lockout": LockoutPolicy,
    "session": SessionPolicy,
    "links": LinkPolicy,
    "registration": RegistrationSettings,
    "payee": PayeeSettings,
    "wording": Wording,
    "metering": MeteringSettings,
    "correspondence": CorrespondenceSettings,
    "notifications": NotificationSettings,
    "access": AccessPolicy,
    "accessibility": AccessibilityDeclaration,
}


LIST_SETTINGS: dict[str, type] = {
    "modules": Module,
    "login_identifiers": LoginIdentifier,
    "languages": Language,
}


def setting_type(key: str) -> Any:
    """The type of one setting addressed as ``group`` or ``group.field`` (e.g.
    ``password_policy.min_length``); raises KeyError for an unknown key."""
    if key in LIST_SETTINGS:
        return tuple[LIST_SETTINGS[key], ...]  # type: ignore[valid-type]  # built at run time
    group, _sep, name = key.partition(".")
    cls = GROUPS[group]
    if not name:
        return cls
    hints = get_type_hints(cls)
    if name not in {f.name for f in fields(cls)}:  # a field, never a ClassVar such as LIMITS
        raise KeyError(key)
    return hints[name]


def with_setting(config: TenantConfig, key: str, value: Any) -> TenantConfig:
    """A copy of ``config`` with one setting replaced (value already typed)."""
    if key in LIST_SETTINGS:
        return dataclasses.replace(config, **{key: value})
    group, _sep, name = key.partition(".")
    if not name:
        return dataclasses.replace(config, **{group: value})
    return dataclasses.replace(
        config, **{group: dataclasses.replace(getattr(config, group), **{name: value})}
    )


def get_setting(config: TenantConfig, key: str) -> Any:
    if key in LIST_SETTINGS:
        return getattr(config, key)
    group, _sep, name = key.partition(".")
    value = getattr(config, group)
    return getattr(value, name) if name else value


# Equal settings groups parsed for different tenants are one object: a process caching thousands
# of tenants made from a few presets holds few copies (the groups are frozen, so sharing is safe).
_SHARED: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _shared(value: Any) -> Any:
    try:
        return _SHARED.setdefault(value, value)
    except TypeError:  # unhashable, or no weak reference possible: keep this tenant's own copy
        return value


def config_from_json(data: dict) -> TenantConfig:
    return TenantConfig(
        branding=_shared(load(Branding, data["branding"])),
        modules=load(tuple[Module, ...], data["modules"]),
        login_identifiers=load(tuple[LoginIdentifier, ...], data["login_identifiers"]),
        password_policy=_shared(load(PasswordPolicy, data["password_policy"])),
        lockout=_shared(load(LockoutPolicy, data["lockout"])),
        session=_shared(load(SessionPolicy, data["session"])),
        links=_shared(load(LinkPolicy, data["links"])),
        registration=_shared(load(RegistrationSettings, data["registration"])),
        languages=load(tuple[Language, ...], data["languages"]),
        payee=_shared(
            load(PayeeSettings, data.get("payee", {}))
        ),  # stored before payee existed: defaults
        wording=_shared(
            load(Wording, data.get("wording", {}))
        ),  # likewise before the tenant's words
        metering=_shared(load(MeteringSettings, data.get("metering", {}))),  # and before the meters
        correspondence=_shared(load(CorrespondenceSettings, data.get("correspondence", {}))),
        notifications=_shared(load(NotificationSettings, data.get("notifications", {}))),
        access=_shared(load(AccessPolicy, data.get("access", {}))),
        accessibility=_shared(load(AccessibilityDeclaration, data.get("accessibility", {}))),
    )


def config_to_json(config: TenantConfig) -> dict:
    return dump(config)
