"""The groups of a tenant's configuration, each a frozen dataclass that checks itself
(``problems()``), and the whole configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from tenants.policies.enums import (
    HEX_COLOUR,
    Assessment,
    Captcha,
    CaseField,
    Channel,
    Compliance,
    CredentialDelivery,
    DocumentKind,
    Language,
    LoginIdentifier,
    Module,
    PolicyError,
    RecoveryMethod,
    RegistrationFlow,
    Unlock,
    Verification,
)
from tenants.policies.texts import LocalText, _text_problems, _texts_from_strings


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
    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "idle_timeout_minutes": (5, 720),
        "staff_idle_timeout_minutes": (5, 60),
    }

    idle_timeout_minutes: int = 15
    # Staff see many customers' data: their sessions end sooner (at most an hour idle).
    staff_idle_timeout_minutes: int = 15
    remember_login: bool = True  # "Zapamiętaj mnie" remembers the login name, never the session
    require_2fa_for_everyone: bool = False

    def problems(self) -> dict[str, str]:
        return _out_of_limits(self, self.LIMITS)


@dataclass(frozen=True)
class AccessPolicy:
    """Who keeps the portal (seed D): an account whose every legal title to premises ended is
    blocked ``legal_title_grace_days`` after the last one ended (at most 30: the organisation
    must act within 30 days of learning of it), the customer told
    ``legal_title_notice_days`` before."""

    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "legal_title_grace_days": (1, 30),
        "legal_title_notice_days": (1, 30),
    }

    end_with_legal_title: bool = False
    legal_title_grace_days: int = 30
    legal_title_notice_days: int = 7

    def problems(self) -> dict[str, str]:
        out = _out_of_limits(self, self.LIMITS)
        if self.legal_title_notice_days > self.legal_title_grace_days:
            out["legal_title_notice_days"] = str(
                _("The customer is told before the access ends: at most the grace period.")
            )
        return out


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
class MeteringSettings:
    """How readings are taken and judged, and when unusual consumption raises an alert."""

    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "implausible_above_percent": (120, 5000),
        "alert_above_percent": (120, 5000),
        "leak_litres_per_hour": (1, 1000),
        "night_from_hour": (0, 23),
        "night_to_hour": (1, 24),
        "reminder_days_before_close": (0, 30),
        "legalisation_due_months": (1, 36),
        "photo_max_megabytes": (1, 20),
    }

    # Customers submit readings only inside a reading window (else at any time).
    windows_required: bool = True
    # A reading implying use above this share of the meter's usual daily use (same season of
    # earlier years, else its whole history) is implausible: refused once, kept for review when
    # the customer confirms it.
    implausible_above_percent: int = 300
    # Consumption above this share of the usual raises a "high use" alert.
    alert_above_percent: int = 300
    # Hourly remote reads: at least this many litres in every hour of a day is a leak's sign
    # (Canal de Isabel II's rule: 20 L).
    leak_litres_per_hour: int = 20
    # Any flow in every hour from ``night_from_hour`` to ``night_to_hour`` (local time).
    night_from_hour: int = 1
    night_to_hour: int = 5
    reminder_days_before_close: int = 3
    legalisation_due_months: int = 6
    photo_max_megabytes: int = 10

    def problems(self) -> dict[str, str]:
        out = _out_of_limits(self, self.LIMITS)
        if self.night_to_hour <= self.night_from_hour:
            out["night_to_hour"] = str(_("The night must end after it begins."))
        return out


CASE_KIND_CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
CASE_PREFIX = re.compile(r"^[A-Z]{2,6}$")
# The modules under which customers file cases (a kind is offered when its module is on).
CASE_MODULES = (Module.TICKETS, Module.FAILURE_REPORTS, Module.CORRESPONDENCE)


@dataclass(frozen=True)
class CaseKind:
    """A kind of case (zgłoszenie) customers may file: its reference prefix (``REK`` gives
    ``REK/2026/000123``), name, answer deadline in business days, extra fields, and the module
    that offers it."""

    slug: str  # what cases store and URLs name ("failure")
    prefix: str
    name: LocalText
    module: Module = Module.TICKETS
    answer_business_days: int = 14
    fields: tuple[CaseField, ...] = (CaseField.PREMISES,)
    active: bool = True

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if not CASE_KIND_CODE.match(self.slug):
            out["slug"] = str(_("Use 2 to 30 small letters, digits or _, starting with a letter."))
        if not CASE_PREFIX.match(self.prefix):
            out["prefix"] = str(_("Use 2 to 6 capital letters."))
        if not self.name:
            out["name"] = str(_("The name is required."))
        out.update({f"name.{k}": v for k, v in self.name.problems().items()})
        if self.module not in CASE_MODULES:
            out["module"] = str(_("Not an allowed value: %(v)s.")) % {"v": self.module}
        if not 1 <= self.answer_business_days <= 90:
            out["answer_business_days"] = str(
                _("Enter a number from %(low)d to %(high)d.") % {"low": 1, "high": 90}
            )
        if len(set(self.fields)) != len(self.fields):
            out["fields"] = str(_("A field is listed twice."))
        return out


@dataclass(frozen=True)
class CorrespondenceSettings:
    """Cases (complaints, failure reports, questions): their kinds and the rules that keep the
    inbox usable."""

    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "reopen_days": (0, 90),
        "close_answered_after_days": (1, 90),
        "daily_case_limit": (1, 100),
        "attachment_max_megabytes": (1, 25),
        "attachments_per_message": (1, 10),
        "reminder_business_days": (0, 10),
    }

    kinds: tuple[CaseKind, ...] = ()
    # A closed case may be reopened by its customer within this many days of closing.
    reopen_days: int = 14
    # An answered case the customer does not reply to is closed after this many days.
    close_answered_after_days: int = 14
    # New cases one customer may file in a day; identical repeated texts are refused anyway.
    daily_case_limit: int = 5
    attachment_max_megabytes: int = 10
    attachments_per_message: int = 5
    # Staff are reminded of a case this many business days before its deadline.
    reminder_business_days: int = 2

    def kind(self, slug: str) -> CaseKind | None:
        return next((k for k in self.kinds if k.slug == slug), None)

    def problems(self) -> dict[str, str]:
        out = _out_of_limits(self, self.LIMITS)
        for index, kind in enumerate(self.kinds):
            out.update({f"kinds.{index}.{k}": v for k, v in kind.problems().items()})
        slugs = [k.slug for k in self.kinds]
        if len(set(slugs)) != len(slugs):
            out["kinds.slug"] = str(_("Two kinds have the same code."))
        prefixes = [k.prefix for k in self.kinds]
        if len(set(prefixes)) != len(prefixes):
            out["kinds.prefix"] = str(_("Two kinds have the same prefix."))
        return out


EVENT_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
SMS_SENDER = re.compile(r"^[A-Za-z0-9 .-]{1,11}$")


@dataclass(frozen=True)
class EventChannels:
    """The tenant's default channels for one event of the notification catalogue (a customer
    who has chosen nothing gets these; an event without an entry keeps the catalogue's)."""

    event: str
    email: bool = True
    sms: bool = False

    def problems(self) -> dict[str, str]:
        if not EVENT_CODE.match(self.event):
            return {"event": str(_("Not an allowed value: %(v)s.")) % {"v": self.event}}
        return {}


@dataclass(frozen=True)
class NotificationSettings:
    """How the tenant tells its customers: the channels it offers, its defaults per event, the
    SMS sender name, the hours without SMS, and the pace of delivery."""

    LIMITS: ClassVar[dict[str, tuple[int, int]]] = {
        "quiet_from_hour": (0, 23),
        "quiet_to_hour": (0, 23),
        "due_reminder_days": (1, 30),
        "digest_hour": (0, 23),
        "per_minute": (10, 100_000),
        "sms_max_parts": (1, 6),
    }

    channels: tuple[Channel, ...] = (Channel.EMAIL,)
    defaults: tuple[EventChannels, ...] = ()
    # The name SMS come from (registered with the provider): up to 11 letters, digits or spaces.
    sms_sender: str = ""
    # No SMS leaves between these hours (local time); equal hours: no quiet time.
    quiet_from_hour: int = 21
    quiet_to_hour: int = 8
    # "A payment is due in N days."
    due_reminder_days: int = 3
    # When the daily digest of non-urgent notices goes out (local time).
    digest_hour: int = 17
    # Messages of this tenant delivered per minute at most (its share of the mail server and
    # the SMS provider); the rest wait for the next minute.
    per_minute: int = 600
    # A longer SMS is shortened to fit this many parts (each part is paid for).
    sms_max_parts: int = 3
    # Polish letters in SMS written without diacritics (160 characters a part instead of 70).
    sms_plain_letters: bool = True

    def offers(self, channel: str) -> bool:
        return any(str(c) == str(channel) for c in self.channels)

    def default_for(self, event: str) -> EventChannels | None:
        return next((d for d in self.defaults if d.event == event), None)

    def problems(self) -> dict[str, str]:
        out = _out_of_limits(self, self.LIMITS)
        if Channel.EMAIL not in self.channels:
            out["channels"] = str(_("E-mail must be offered: security notices go by e-mail."))
        if len(set(self.channels)) != len(self.channels):
            out["channels"] = str(_("A channel is listed twice."))
        if self.sms_sender and not SMS_SENDER.match(self.sms_sender):
            out["sms_sender"] = str(_("Use at most 11 letters, digits, spaces, dots or dashes."))
        for index, default in enumerate(self.defaults):
            out.update({f"defaults.{index}.{k}": v for k, v in default.problems().items()})
        events = [d.event for d in self.defaults]
        if len(set(events)) != len(events):
            out["defaults"] = str(_("An event is listed twice."))
        return out


def _iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class AccessibilityDeclaration:
    """The accessibility declaration (deklaracja dostępności) the Polish law on the digital
    accessibility of public bodies' websites (4 April 2019, art. 10) requires, in the elements
    of the minister's template: who declares, when the portal was published and last changed,
    the compliance status with what is not accessible and why, how and when the declaration was
    prepared and last reviewed (each year by 31 March), who answers requests, and the office's
    architectural accessibility. Dates are ISO days ("2026-03-31"); empty ones show the
    portal's own facts (its creation, its contact data)."""

    entity: str = ""  # the body that declares (empty: the payee's name, else the portal's)
    published_on: str = ""
    updated_on: str = ""
    status: Compliance = Compliance.PARTIAL
    exceptions: str = ""  # what is not accessible and why, one item a line
    prepared_on: str = ""
    reviewed_on: str = ""
    assessment: Assessment = Assessment.SELF
    assessor: str = ""  # the outside body that examined the portal
    contact_person: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    architecture: str = ""  # the office building: entrances, lifts, parking, induction loop
    sign_language: str = ""  # how to reach a sign-language interpreter, if offered

    LONG: ClassVar[int] = 5000

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in ("published_on", "updated_on", "prepared_on", "reviewed_on"):
            value = getattr(self, name)
            if value and _iso_day(value) is None:
                out[name] = str(_("Give a date as YYYY-MM-DD."))
        prepared, reviewed = _iso_day(self.prepared_on), _iso_day(self.reviewed_on)
        if prepared and reviewed and reviewed < prepared:
            out["reviewed_on"] = str(_("A review cannot come before the declaration was made."))
        if self.contact_email and not EMAIL.fullmatch(self.contact_email):
            out["contact_email"] = str(_("Enter a valid e-mail address."))
        if self.prepared_on and self.status != Compliance.FULL and not self.exceptions.strip():
            # (an organisation that has not written its declaration yet shows the platform's
            # own known exceptions)
            out["exceptions"] = str(_("Say what is not accessible and why."))
        if self.assessment == Assessment.EXTERNAL and not self.assessor.strip():
            out["assessor"] = str(_("Name the body that examined the portal."))
        for name in ("exceptions", "architecture", "sign_language"):
            if len(getattr(self, name)) > self.LONG:
                out[name] = str(_("At most %(n)d characters.") % {"n": self.LONG})
        for name in ("entity", "assessor", "contact_person", "contact_email", "contact_phone"):
            if len(getattr(self, name)) > 200:
                out[name] = str(_("At most %(n)d characters.") % {"n": 200})
        return out

    def day(self, name: str) -> date | None:
        """One of the declaration's dates (``published_on``, ...) as a day (None: not given)."""
        return _iso_day(getattr(self, name))

    def review_due(self, today: date) -> bool:
        """Not yet reviewed this year (the law asks for a review each year by 31 March)."""
        reviewed = self.day("reviewed_on") or self.day("prepared_on")
        return reviewed is None or reviewed < date(today.year, 1, 1)


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
    metering: MeteringSettings = MeteringSettings()
    correspondence: CorrespondenceSettings = CorrespondenceSettings()
    notifications: NotificationSettings = NotificationSettings()
    access: AccessPolicy = AccessPolicy()
    accessibility: AccessibilityDeclaration = AccessibilityDeclaration()

    def has_module(self, module: str) -> bool:
        return any(str(m) == str(module) for m in self.modules)

    def offers_any(self, *modules: str) -> bool:
        """Whether the tenant offers at least one of ``modules``."""
        return any(self.has_module(m) for m in modules)

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
            "metering",
            "correspondence",
            "notifications",
            "access",
            "accessibility",
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
