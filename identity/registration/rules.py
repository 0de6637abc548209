"""The registration pipeline: which proof a tenant asks for, how it is checked, and how the new
account gets its credentials, all read from ``RegistrationSettings``.

Checking proof against customer records is done by *matchers* that other apps register (billing
registers the customer matcher in its AppConfig.ready), so identity never imports billing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.pl import nip as stdnum_nip

from identity import pesel
from identity.errors import IdentityErrorCode
from identity.registration import captcha
from tenants.policies import RegistrationSettings


@dataclass(frozen=True)
class MatchResult:
    customer_ids: tuple[int, ...] = ()
    # Set when the customer exists but may not register yet (e.g. contract not signed).
    refusal: IdentityErrorCode | None = None
    # Customers that already have an account (one account per customer).
    already_registered: bool = False
    symbol: str = ""
    name: str = ""


Matcher = Callable[[dict, RegistrationSettings], MatchResult]
_MATCHERS: list[Matcher] = []


def register_matcher(matcher: Matcher) -> None:
    if matcher not in _MATCHERS:
        _MATCHERS.append(matcher)


_ATTACH: dict[str, Callable] = {}


def register_attacher(
    attach: Callable[[list[int], object], None], owner_email: Callable[[list[int]], str | None]
) -> None:
    """How matched customers are attached to a new account, and whom to tell when they already
    have one."""
    _ATTACH["attach"] = attach
    _ATTACH["owner_email"] = owner_email


def attach(customer_ids: list[int], user) -> None:
    if customer_ids and "attach" in _ATTACH:
        _ATTACH["attach"](customer_ids, user)


def owner_email(customer_ids: list[int]) -> str | None:
    return _ATTACH["owner_email"](customer_ids) if "owner_email" in _ATTACH else None


def match(proof: dict, settings: RegistrationSettings) -> MatchResult:
    for matcher in _MATCHERS:
        result = matcher(proof, settings)
        if result.customer_ids or result.refusal:
            return result
    return MatchResult()


# --- the form ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDefinition:
    label: object
    make: Callable[[bool], forms.Field]
    help: object = ""


def _char(max_length: int, **attrs) -> Callable[[bool], forms.Field]:
    return lambda required: forms.CharField(
        max_length=max_length, required=required, widget=forms.TextInput(attrs=attrs)
    )


FIELDS: dict[str, FieldDefinition] = {
    "service": FieldDefinition(
        _("Service"), lambda required: forms.ChoiceField(required=required, choices=())
    ),
    "customer_symbol": FieldDefinition(_("Customer symbol"), _char(32, autocomplete="off")),
    "customer_type": FieldDefinition(
        _("Customer type"),
        lambda required: forms.ChoiceField(
            required=required,
            choices=[
                ("individual", _("Individual customer")),
                ("business", _("Business customer")),
            ],
        ),
    ),
    "full_name": FieldDefinition(_("Full name or company name"), _char(200, autocomplete="name")),
    "premises_address": FieldDefinition(
        _("Address of the premises"), _char(200, autocomplete="street-address")
    ),
    "pesel_or_nip": FieldDefinition(
        _("PESEL or NIP"),
        # Long enough for a number typed in groups ("440514 01359", "954-275-13-69"): spaces
        # and dashes are taken out before the checksum.
        _char(20, inputmode="numeric", autocomplete="off"),
        _("PESEL for individual customers, NIP for business customers."),
    ),
    "contract_number": FieldDefinition(_("Contract number"), _char(64, autocomplete="off")),
    "invoice_number": FieldDefinition(_("Invoice number"), _char(64, autocomplete="off")),
    "email": FieldDefinition(
        _("E-mail address"),
        lambda required: forms.EmailField(
            required=required,
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        ),
    ),
    "email_repeat": FieldDefinition(
        _("Repeat the e-mail address"),
        lambda required: forms.EmailField(
            required=required,
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        ),
    ),
    "phone": FieldDefinition(_("Phone"), _char(32, autocomplete="tel", inputmode="tel")),
    "mobile_phone": FieldDefinition(
        _("Mobile phone"), _char(32, autocomplete="tel", inputmode="tel")
    ),
    "login": FieldDefinition(
        _("Login"),
        _char(150, autocomplete="username"),
        _("Leave empty to log in with your PESEL or NIP."),
    ),
    "login_repeat": FieldDefinition(_("Repeat the login"), _char(150, autocomplete="off")),
}


IDENTIFIER_BY_TYPE = {
    "individual": (_("PESEL"), _("The PESEL number of the customer, 11 digits.")),
    "business": (_("NIP"), _("The company's NIP number, 10 digits (dashes are fine).")),
}


def _follow_customer_type(form: forms.Form, data) -> None:
    """The identifier field is named after the customer type: PESEL for an individual, NIP for a
    business (the page's script switches it as the type changes; after a submit the server has
    already chosen)."""
    field = form.fields["pesel_or_nip"]
    kind = (data or {}).get("customer_type") or form.fields["customer_type"].choices[0][0]
    if kind in IDENTIFIER_BY_TYPE:
        field.label, field.help_text = IDENTIFIER_BY_TYPE[kind]
        field.error_messages["required"] = required_message(field.label)
    for key, (label, help_text) in IDENTIFIER_BY_TYPE.items():
        field.widget.attrs[f"data-label-{key}"] = str(label)
        field.widget.attrs[f"data-help-{key}"] = str(help_text)
    field.widget.attrs["aria-describedby"] = "id_pesel_or_nip_help"


DETAIL_LABELS = {"symbol": FIELDS["customer_symbol"].label, "pesel": _("PESEL"), "nip": _("NIP")}


def details_for_people(details: dict) -> list[tuple[str, str]]:
    """What an applicant gave, as the office reads it: each value under its form label."""
    return [
        (str(DETAIL_LABELS.get(key) or getattr(FIELDS.get(key), "label", key)), str(value))
        for key, value in details.items()
    ]


def required_message(label) -> str:
    return str(_("The field %(name)s is required.")) % {"name": label}


def registration_form(settings: RegistrationSettings, documents: list, data=None) -> forms.Form:
    """A form with exactly the fields the tenant asks for, the documents to accept, and the
    GDPR consent when the tenant requires it."""
    form = forms.Form(data)
    for spec in settings.fields:
        definition = FIELDS[spec.name]
        field_obj = definition.make(spec.required)
        field_obj.label = definition.label
        field_obj.help_text = definition.help
        field_obj.error_messages["required"] = required_message(definition.label)
        if spec.name == "service":
            field_obj.choices = [(s, s) for s in settings.services]
        if spec.name == "customer_symbol" and settings.customer_symbol_help:
            field_obj.help_text = str(settings.customer_symbol_help)
        form.fields[spec.name] = field_obj
        if field_obj.help_text or (
            spec.name == "customer_symbol" and settings.customer_symbol_help
        ):
            field_obj.widget.attrs["aria-describedby"] = f"id_{spec.name}_help"
    if "customer_type" in form.fields and "pesel_or_nip" in form.fields:
        _follow_customer_type(form, data)
    for doc in documents:
        name = f"accept_{doc.kind}"
        form.fields[name] = forms.BooleanField(
            label=_("I accept: %(title)s") % {"title": doc.shown_title},
            required=True,
            error_messages={"required": required_message(doc.shown_title)},
        )
    if str(settings.captcha) != "none":
        form.fields["captcha_token"] = forms.CharField(widget=forms.HiddenInput, required=True)
        form.fields["captcha"] = forms.CharField(
            label=_("Human check"),
            max_length=20,
            required=True,
            error_messages={"required": required_message(_("Human check"))},
            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        )
        challenge = captcha.new_challenge(str(settings.captcha))
        form.fields["captcha"].widget.attrs["aria-describedby"] = "id_captcha_help"
        if challenge is not None:
            form.fields["captcha"].help_text = " ".join(
                p for p in (challenge.prompt, challenge.alternative) if p
            )
            form.initial["captcha_token"] = challenge.token
            form.challenge = challenge
        if data is not None:
            # The challenge answered comes from the submitted token; a new one is shown on error.
            form.data = data.copy()
            form.data["captcha_token_answered"] = data.get("captcha_token", "")
            if challenge is not None:
                form.data["captcha_token"] = challenge.token
    if settings.gdpr_consent:
        form.fields["gdpr_consent"] = forms.BooleanField(
            label=_("I consent to the processing of my personal data for the e-BOK service."),
            required=True,
            error_messages={"required": required_message(_("GDPR consent"))},
        )
    return form


@dataclass
class Checked:
    """A submitted application after the checks that need no database."""

    email: str
    phone: str
    login: str
    details: dict
    proof: dict
    errors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def error(self, name: str, code: str, message: str) -> None:
        self.errors.setdefault(name, []).append((code, str(message)))


def check_captcha(form, settings: RegistrationSettings) -> bool:
    if str(settings.captcha) == "none":
        return True

    return captcha.verify(
        form.data.get("captcha_token_answered", ""), form.cleaned_data.get("captcha", "")
    )


def check(cleaned: dict, settings: RegistrationSettings) -> Checked:
    """Repeats match, PESEL/NIP checksums, the symbol's format; builds the proof (identifiers are
    hashed) and what staff may see (identifiers masked)."""

    email = (cleaned.get("email") or "").strip()
    checked = Checked(
        email=email,
        phone=(cleaned.get("mobile_phone") or cleaned.get("phone") or "").strip(),
        login=(cleaned.get("login") or "").strip(),
        details={},
        proof={},
    )
    if (
        "email_repeat" in cleaned
        and cleaned.get("email_repeat", "").strip().lower() != email.lower()
    ):
        checked.error(
            "email_repeat", IdentityErrorCode.MISMATCH, _("The e-mail addresses do not match.")
        )
    if "login_repeat" in cleaned and (cleaned.get("login_repeat") or "").strip() != checked.login:
        checked.error("login_repeat", IdentityErrorCode.MISMATCH, _("The logins do not match."))
    symbol = (cleaned.get("customer_symbol") or "").strip().upper()
    if symbol:
        if settings.customer_symbol_pattern and not re.fullmatch(
            settings.customer_symbol_pattern, symbol
        ):
            checked.error(
                "customer_symbol",
                IdentityErrorCode.INVALID_SYMBOL,
                _("This is not a customer symbol."),
            )
        checked.proof["symbol"] = checked.details["symbol"] = symbol
    number = re.sub(r"[\s-]", "", cleaned.get("pesel_or_nip") or "")
    if number:
        kind = cleaned.get("customer_type") or ("business" if len(number) == 10 else "individual")
        if kind == "individual" and len(number) == 10 and stdnum_nip.is_valid(number):
            checked.error(
                "pesel_or_nip",
                IdentityErrorCode.INVALID_PESEL,
                _("This is a NIP number: choose “Business customer” as the customer type."),
            )
        elif kind == "business" and len(number) == 11 and pesel.is_valid(number):
            checked.error(
                "pesel_or_nip",
                IdentityErrorCode.INVALID_NIP,
                _("This is a PESEL number: choose “Individual customer” as the customer type."),
            )
        elif kind == "business":
            if not stdnum_nip.is_valid(number):
                checked.error(
                    "pesel_or_nip", IdentityErrorCode.INVALID_NIP, _("The NIP number is not valid.")
                )
            checked.proof["nip"] = number
            checked.details["nip"] = number
        else:
            if not pesel.is_valid(number):
                checked.error(
                    "pesel_or_nip",
                    IdentityErrorCode.INVALID_PESEL,
                    _("The PESEL number is not valid."),
                )
            else:
                checked.proof["pesel_hash"] = pesel.hashed(number)
                checked.details["pesel"] = pesel.masked(number)
                if not checked.login:
                    checked.login = pesel.login_alias(number)
        if not checked.login and kind == "business":
            checked.login = number
    for name in ("full_name", "premises_address", "contract_number", "invoice_number", "service"):
        value = (cleaned.get(name) or "").strip()
        if value:
            checked.details[name] = value
            checked.proof[name] = value
    return checked
