"""Tenant rules as typed values.

Each group of settings is a frozen dataclass; ``TenantSettings`` (models.py) stores them as JSON
and ``load``/``dump`` convert. Validation rejects impossible combinations. Nothing here touches
the database, so the rules can be tested as pure functions.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar, get_args, get_origin, get_type_hints

from django.utils import translation
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class PolicyError(ValueError):
    """A setting value that cannot be stored; ``problems`` maps a field path to a message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


class Module(StrEnum):
    CHARGES = "charges"
    INVOICES = "invoices"
    PAYMENTS_RECEIVED = "payments_received"
    SETTLEMENTS = "settlements"
    BALANCE_CONFIRMATION = "balance_confirmation"
    PREMISES = "premises"
    CONTRACTS = "contracts"
    SERVICE_POINTS = "service_points"
    METERS = "meters"
    READINGS = "readings"
    E_INVOICE = "e_invoice"
    ONLINE_PAYMENTS = "online_payments"
    DEBT_COLLECTION = "debt_collection"
    MEMBERSHIP = "membership"
    DOCUMENTS = "documents"
    ANNOUNCEMENTS = "announcements"
    TICKETS = "tickets"
    FAILURE_REPORTS = "failure_reports"
    CORRESPONDENCE = "correspondence"
    PROPERTY_MANAGERS = "property_managers"


class LoginIdentifier(StrEnum):
    CUSTOMER_SYMBOL = "customer_symbol"
    LOGIN = "login"
    EMAIL = "email"
    PESEL_OR_NIP = "pesel_or_nip"


class RegistrationFlow(StrEnum):
    ACTIVATION_REQUEST = "activation_request"
    VERIFIED_SELF_SERVICE = "verified_self_service"
    CONTRACT_ACTIVATION = "contract_activation"
    IN_PERSON = "in_person"
    INVOICE_ACTIVATION = "invoice_activation"
    CUSTOM = "custom"


class Verification(StrEnum):
    STAFF_REVIEW = "staff_review"
    AUTOMATIC_MATCH = "automatic_match"
    NONE = "none"


class CredentialDelivery(StrEnum):
    SET_PASSWORD_LINK = "set_password_link"
    TEMPORARY_PASSWORD = "temporary_password"
    ACTIVATION_LINK_THEN_ONE_TIME_PASSWORD = "activation_link_then_one_time_password"
    THREE_EMAILS = "three_emails"
    IN_PERSON_LETTER = "in_person_letter"


class Captcha(StrEnum):
    NONE = "none"
    DIGIT_POSITIONS = "digit_positions"
    IMAGE = "image"


class Unlock(StrEnum):
    STAFF_ONLY = "staff_only"
    AUTOMATIC_AFTER_TIME = "automatic_after_time"


class RecoveryMethod(StrEnum):
    RESET_LINK = "reset_link"
    ONE_TIME_PASSWORD = "one_time_password"
    STAFF_ONLY = "staff_only"


class Language(StrEnum):
    PL = "pl"
    EN = "en"
    UK = "uk"


class DocumentKind(StrEnum):
    REGULATIONS = "regulations"
    E_SERVICES_POLICY = "e_services_policy"
    PRIVACY_NOTICE = "privacy_notice"
    COOKIES_POLICY = "cookies_policy"


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


@dataclass(frozen=True)
class Wording:
    """The tenant's own words for what the portal's generic words would say otherwise (seeds:
    "Symbol klienta" as the login field, "Prześlij nowe hasło e-mailem", "Punkty poboru")."""

    login_label: LocalText = LocalText()
    reset_button: LocalText = LocalText()
    premises_section: LocalText = LocalText()

    def __post_init__(self) -> None:
        _texts_from_strings(self)

    def problems(self) -> dict[str, str]:
        return _text_problems(self)


@dataclass(frozen=True)
class Branding:
    portal_name: str
    short_name: str
    primary_colour: str = "#1f5f8b"
    accent_colour: str = "#f0a202"
    logo: str = ""  # path in the tenant's media storage; empty = text logo
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    office_hours: LocalText = LocalText()
    footer: LocalText = LocalText()

    def __post_init__(self) -> None:
        _texts_from_strings(self)

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = _text_problems(self)
        if not self.portal_name.strip():
            out["portal_name"] = str(_("The portal name is required."))
        if not self.short_name.strip():
            out["short_name"] = str(_("The short name is required."))
        if len(self.short_name) > 40:
            out["short_name"] = str(_("The short name may have at most 40 characters."))
        for name in ("primary_colour", "accent_colour"):
            if not HEX_COLOUR.match(getattr(self, name)):
                out[name] = str(_("A colour must be written as #RRGGBB."))
        return out


def _out_of_limits(value, limits: dict[str, tuple[int, int]]) -> dict[str, str]:
    """The numeric fields of ``value`` outside the bounds its type declares."""
    out = {}
    for name, (low, high) in limits.items():
        if not low <= getattr(value, name) <= high:
            out[name] = str(
                _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
    return out


def setting_limits(key: str) -> tuple[int, int] | None:
    """The bounds of a numeric setting (``password_policy.min_length`` → (6, 64)), from the
    policy's own type: forms show them and every writer is held to them by ``problems()``."""
    group, _sep, name = key.partition(".")
    return getattr(GROUPS.get(group), "LIMITS", {}).get(name)


@dataclass(frozen=True)
class PasswordPolicy:
    # Seeds B and D allow 6 characters; below that no tenant may go, whoever writes the rule.
    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "min_length": (6, 64),
        "max_length": (6, 256),
        "min_uppercase": (0, 64),
        "min_lowercase": (0, 64),
        "min_letters": (0, 64),
        "min_digits": (0, 64),
        "min_special": (0, 64),
        "min_digits_or_special": (0, 64),
        "history": (0, 24),
    }

    min_length: int = 8
    max_length: int = 128
    min_uppercase: int = 0
    min_lowercase: int = 0
    min_letters: int = 0
    min_digits: int = 0
    min_special: int = 0
    # At least this many characters that are a digit or a special character (preset C).
    min_digits_or_special: int = 0
    # The characters that count as special; empty = any character that is not a letter or digit.
    special_characters: str = ""
    no_special: bool = False
    ascii_only: bool = False
    forbid_login: bool = False
    history: int = 0  # differs from the last N passwords (the temporary one included)
    reject_common: bool = True
    # The tenant's own wording of the rules, shown above the checklist; empty = generated.
    description: LocalText = LocalText()

    def __post_init__(self) -> None:
        _texts_from_strings(self)

    def problems(self) -> dict[str, str]:
        out = _out_of_limits(self, self.LIMITS) | _text_problems(self)
        if self.max_length < self.min_length:
            out["max_length"] = str(_("The maximum length is shorter than the minimum length."))
        letters = max(self.min_letters, self.min_uppercase + self.min_lowercase)
        required = letters + self.min_digits + max(self.min_special, 0)
        required = max(required, letters + self.min_digits_or_special)
        if required > self.max_length:
            out["max_length"] = str(
                _("The required characters (%(required)d) do not fit in %(max)d characters.")
                % {"required": required, "max": self.max_length}
            )
        if self.no_special and (self.min_special or self.special_characters):
            out["no_special"] = str(
                _("A policy cannot both forbid and require special characters.")
            )
        if self.ascii_only and any(ord(ch) > 127 for ch in self.special_characters):
            out["special_characters"] = str(
                _("Special characters must be ASCII when Polish letters are forbidden.")
            )
        if any(ch.isalnum() or ch.isspace() for ch in self.special_characters):
            out["special_characters"] = str(
                _("Special characters must not include letters, digits or spaces.")
            )
        return out


@dataclass(frozen=True)
class LockoutPolicy:
    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {"threshold": (3, 100)}

    threshold: int = 5  # consecutive failures that lock the account
    unlock: Unlock = Unlock.STAFF_ONLY
    unlock_after_minutes: int = 0  # with Unlock.AUTOMATIC_AFTER_TIME
    locked_message: LocalText = LocalText()  # the tenant's "contact the office" text

    def __post_init__(self) -> None:
        _texts_from_strings(self)

    def problems(self) -> dict[str, str]:
        out = _out_of_limits(self, self.LIMITS) | _text_problems(self)
        if self.unlock == Unlock.AUTOMATIC_AFTER_TIME and self.unlock_after_minutes < 1:
            out["unlock_after_minutes"] = str(
                _("Automatic unlocking needs a time of at least one minute.")
            )
        return out


@dataclass(frozen=True)
class SessionPolicy:
    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {"idle_timeout_minutes": (5, 720)}

    idle_timeout_minutes: int = 15
    remember_login: bool = True  # "Zapamiętaj mnie" remembers the login name, never the session
    require_2fa_for_everyone: bool = False

    def problems(self) -> dict[str, str]:
        return _out_of_limits(self, self.LIMITS)


@dataclass(frozen=True)
class LinkPolicy:
    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "activation_hours": (1, 24 * 30),
        "password_reset_hours": (1, 24 * 30),
        "set_password_hours": (1, 24 * 30),
    }

    activation_hours: int = 24
    password_reset_hours: int = 24
    set_password_hours: int = 24
    recovery: RecoveryMethod = RecoveryMethod.RESET_LINK

    def problems(self) -> dict[str, str]:
        return _out_of_limits(self, self.LIMITS)


@dataclass(frozen=True)
class RegistrationField:
    name: str
    required: bool = True


REGISTRATION_FIELD_NAMES = (
    "service",
    "customer_symbol",
    "customer_type",
    "full_name",
    "premises_address",
    "pesel_or_nip",
    "contract_number",
    "invoice_number",
    "email",
    "email_repeat",
    "phone",
    "mobile_phone",
    "login",
    "login_repeat",
)


@dataclass(frozen=True)
class RegistrationSettings:
    flow: RegistrationFlow = RegistrationFlow.CUSTOM
    online: bool = True
    fields: tuple[RegistrationField, ...] = ()
    verification: Verification = Verification.STAFF_REVIEW
    credentials: CredentialDelivery = CredentialDelivery.SET_PASSWORD_LINK
    captcha: Captcha = Captcha.NONE
    required_documents: tuple[DocumentKind, ...] = (DocumentKind.REGULATIONS,)
    gdpr_consent: bool = False
    # Customer symbol format as a regular expression (e.g. "L\\d{7}" or "\\d{6}").
    customer_symbol_pattern: str = ""
    customer_symbol_help: LocalText = LocalText()
    services: tuple[str, ...] = ()  # e.g. e-BOM / e-BOPG in preset A
    contract_min_status: str = "signed_by_customer"
    not_recognised_message: LocalText = LocalText()
    # Verify in a background job (the applicant is told by e-mail) instead of while they wait.
    verify_in_background: bool = False

    def __post_init__(self) -> None:
        _texts_from_strings(self)

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = _text_problems(self)
        names = [f.name for f in self.fields]
        unknown = sorted(set(names) - set(REGISTRATION_FIELD_NAMES))
        if unknown:
            out["fields"] = str(_("Unknown registration fields: %(names)s.")) % {
                "names": ", ".join(unknown)
            }
        if len(names) != len(set(names)):
            out["fields"] = str(_("A registration field is listed twice."))
        if self.online and not self.fields:
            out["fields"] = str(_("An online registration needs at least one field."))
        if not self.online and self.fields:
            out["online"] = str(_("Registration in person only asks no online fields."))
        if self.customer_symbol_pattern:
            try:
                re.compile(self.customer_symbol_pattern)
            except re.error:
                out["customer_symbol_pattern"] = str(_("The symbol format is not valid."))
        return out


@dataclass(frozen=True)
class PayeeSettings:
    """Who customers pay: printed on invoices and encoded in the transfer QR code. A customer's
    individual account number, when the ERP gives one, takes precedence over ``account``."""

    name: str = ""
    nip: str = ""
    account: str = ""  # 26 digits (NRB)
    address: str = ""

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.nip and not (self.nip.isdigit() and len(self.nip) == 10):
            out["nip"] = str(_("A NIP has 10 digits."))
        if self.account and not (self.account.isdigit() and len(self.account) == 26):
            out["account"] = str(_("An account number has 26 digits."))
        return out


@dataclass(frozen=True)
class TenantConfig:
    """Everything a tenant can configure, as one typed value."""

    branding: Branding
    modules: tuple[Module, ...]
    login_identifiers: tuple[LoginIdentifier, ...]
    password_policy: PasswordPolicy
    lockout: LockoutPolicy
    session: SessionPolicy
    links: LinkPolicy
    registration: RegistrationSettings
    languages: tuple[Language, ...] = (Language.PL, Language.EN, Language.UK)
    payee: PayeeSettings = PayeeSettings()
    wording: Wording = Wording()

    def has_module(self, module: str) -> bool:
        return any(str(m) == str(module) for m in self.modules)

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for group in (
            "branding",
            "password_policy",
            "lockout",
            "session",
            "links",
            "registration",
            "payee",
            "wording",
        ):
            for key, message in getattr(self, group).problems().items():
                out[f"{group}.{key}"] = message
        if not self.login_identifiers:
            out["login_identifiers"] = str(_("At least one login identifier is required."))
        if not self.languages or self.languages[0] != Language.PL:
            out["languages"] = str(_("Polish must be the first language."))
        if len(set(self.modules)) != len(self.modules):
            out["modules"] = str(_("A module is listed twice."))
        return out

    def validate(self) -> TenantConfig:
        problems = self.problems()
        if problems:
            raise PolicyError(problems)
        return self


# --- conversion between the typed values and JSON ------------------------------------------------


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
            return tp(**kwargs)
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
        return tuple[LIST_SETTINGS[key], ...]
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


def config_from_json(data: dict) -> TenantConfig:
    return TenantConfig(
        branding=load(Branding, data["branding"]),
        modules=load(tuple[Module, ...], data["modules"]),
        login_identifiers=load(tuple[LoginIdentifier, ...], data["login_identifiers"]),
        password_policy=load(PasswordPolicy, data["password_policy"]),
        lockout=load(LockoutPolicy, data["lockout"]),
        session=load(SessionPolicy, data["session"]),
        links=load(LinkPolicy, data["links"]),
        registration=load(RegistrationSettings, data["registration"]),
        languages=load(tuple[Language, ...], data["languages"]),
        payee=load(PayeeSettings, data.get("payee", {})),  # stored before payee existed: defaults
        wording=load(Wording, data.get("wording", {})),  # likewise before the tenant's words
    )


def config_to_json(config: TenantConfig) -> dict:
    return dump(config)
