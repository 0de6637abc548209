"""Every rule a preset sets, editable by the tenant's administrator: one form per group of the
typed configuration (``tenants.policies``), its fields built from the policy type (numbers
bounded by the type's own ``LIMITS``, so a preset's values are always valid), saved through
``tenants.services.tenant_setting_set`` (typed, validated as a whole, audited with old and new
values, a no-op when unchanged). A choice weaker than OWASP ASVS recommends is flagged."""

from __future__ import annotations

import dataclasses
import enum

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from identity import services
from identity.models import AuthEvent
from identity.permissions import staff_required
from identity.registration.rules import FIELDS as REGISTRATION_FIELDS
from identity.views import request_info
from tenants import policies
from tenants.policies import REGISTRATION_FIELD_NAMES
from tenants.services import tenant_setting_set

SECTIONS: dict[str, tuple[object, tuple[str, ...]]] = {
    "password_policy": (
        gettext_lazy("Passwords"),
        (
            "min_length",
            "max_length",
            "min_uppercase",
            "min_lowercase",
            "min_letters",
            "min_digits",
            "min_special",
            "min_digits_or_special",
            "special_characters",
            "no_special",
            "ascii_only",
            "forbid_login",
            "history",
            "reject_common",
        ),
    ),
    "lockout": (
        gettext_lazy("Lockout after failed logins"),
        ("threshold", "unlock", "unlock_after_minutes"),
    ),
    "session": (
        gettext_lazy("Sessions"),
        (
            "idle_timeout_minutes",
            "staff_idle_timeout_minutes",
            "remember_login",
            "require_2fa_for_everyone",
        ),
    ),
    "links": (
        gettext_lazy("Links and recovery"),
        ("activation_hours", "password_reset_hours", "set_password_hours", "recovery"),
    ),
    "registration": (
        gettext_lazy("Registration"),
        (
            "online",
            "fields",
            "optional_fields",
            "verification",
            "credentials",
            "captcha",
            "required_documents",
            "gdpr_consent",
            "verify_in_background",
            "customer_symbol_pattern",
        ),
    ),
    "access": (
        gettext_lazy("Access ending with the legal title"),
        ("end_with_legal_title", "legal_title_grace_days", "legal_title_notice_days"),
    ),
    "modules": (gettext_lazy("Modules of the portal"), ("modules",)),
}

LABELS = {
    "min_length": gettext_lazy("Minimum length"),
    "max_length": gettext_lazy("Maximum length"),
    "min_uppercase": gettext_lazy("At least this many capital letters"),
    "min_lowercase": gettext_lazy("At least this many small letters"),
    "min_letters": gettext_lazy("At least this many letters"),
    "min_digits": gettext_lazy("At least this many digits"),
    "min_special": gettext_lazy("At least this many special characters"),
    "min_digits_or_special": gettext_lazy("At least this many digits or special characters"),
    "special_characters": gettext_lazy(
        "Characters that count as special (empty: any but letters and digits)"
    ),
    "no_special": gettext_lazy("Special characters are not allowed"),
    "ascii_only": gettext_lazy("Polish letters are not allowed"),
    "forbid_login": gettext_lazy("The password may not contain the login"),
    "history": gettext_lazy("Differs from this many earlier passwords"),
    "reject_common": gettext_lazy("Refuse common and leaked passwords"),
    "threshold": gettext_lazy("Failed logins in a row that lock the account"),
    "unlock": gettext_lazy("Who unlocks"),
    "unlock_after_minutes": gettext_lazy("Minutes after which the account unlocks itself"),
    "idle_timeout_minutes": gettext_lazy("Customers' idle minutes before logout"),
    "staff_idle_timeout_minutes": gettext_lazy("Staff's idle minutes before logout"),
    "remember_login": gettext_lazy("Offer to remember the login on the device"),
    "require_2fa_for_everyone": gettext_lazy("Second factor for customers too"),
    "activation_hours": gettext_lazy("Hours an activation link is valid"),
    "password_reset_hours": gettext_lazy("Hours a password reset link is valid"),
    "set_password_hours": gettext_lazy("Hours a set-password link is valid"),
    "recovery": gettext_lazy("How a forgotten password is recovered"),
    "online": gettext_lazy("Customers can register online"),
    "fields": gettext_lazy("Fields of the registration form"),
    "optional_fields": gettext_lazy("Of them, optional"),
    "verification": gettext_lazy("How an applicant is verified"),
    "credentials": gettext_lazy("How the first credentials are given"),
    "captcha": gettext_lazy("Human check"),
    "required_documents": gettext_lazy("Documents customers accept"),
    "gdpr_consent": gettext_lazy("Ask for the consent to processing personal data"),
    "verify_in_background": gettext_lazy(
        "Verify in the background and tell the applicant by e-mail"
    ),
    "customer_symbol_pattern": gettext_lazy(
        "Customer symbol format (a regular expression, e.g. L\\d{7})"
    ),
    "end_with_legal_title": gettext_lazy(
        "Block an account when every legal title to premises has ended"
    ),
    "legal_title_grace_days": gettext_lazy("Days after the last title ended"),
    "legal_title_notice_days": gettext_lazy("Days before that the customer is told"),
    "modules": gettext_lazy("Modules"),
}

VALUE_LABELS = {
    "staff_only": gettext_lazy("Only staff"),
    "automatic_after_time": gettext_lazy("By itself after a time"),
    "reset_link": gettext_lazy("A reset link by e-mail"),
    "one_time_password": gettext_lazy("A one-time password by e-mail"),
    "staff_review": gettext_lazy("Staff review the request"),
    "automatic_match": gettext_lazy("Automatically against the customer records"),
    "none": gettext_lazy("None"),
    "set_password_link": gettext_lazy("A link to set the password"),
    "temporary_password": gettext_lazy("A temporary password"),
    "activation_link_then_one_time_password": gettext_lazy(
        "An activation link, then a one-time password"
    ),
    "three_emails": gettext_lazy("Three e-mails"),
    "in_person_letter": gettext_lazy("A letter handed at the office"),
    "digit_positions": gettext_lazy("Digits at given positions"),
    "image": gettext_lazy("Text in an image"),
    "regulations": gettext_lazy("Regulations"),
    "e_services_policy": gettext_lazy("E-services policy"),
    "privacy_notice": gettext_lazy("Privacy notice"),
    "cookies_policy": gettext_lazy("Cookies policy"),
    "charges": gettext_lazy("Charges"),
    "invoices": gettext_lazy("Invoices"),
    "payments_received": gettext_lazy("Payments received"),
    "settlements": gettext_lazy("Settlements"),
    "balance_confirmation": gettext_lazy("Balance confirmation"),
    "premises": gettext_lazy("Premises"),
    "contracts": gettext_lazy("Contracts"),
    "service_points": gettext_lazy("Points of supply"),
    "meters": gettext_lazy("Meters"),
    "readings": gettext_lazy("Meter readings"),
    "e_invoice": gettext_lazy("E-invoice"),
    "online_payments": gettext_lazy("Online payments"),
    "debt_collection": gettext_lazy("Debt collection"),
    "membership": gettext_lazy("Membership and contributions"),
    "documents": gettext_lazy("Documents"),
    "announcements": gettext_lazy("Announcements"),
    "tickets": gettext_lazy("Complaints and requests"),
    "failure_reports": gettext_lazy("Failure reports"),
    "correspondence": gettext_lazy("Correspondence"),
    "property_managers": gettext_lazy("Property managers"),
}


def _choices(enum_type) -> list[tuple[str, object]]:
    return [(m.value, VALUE_LABELS.get(m.value, m.value)) for m in enum_type]


def _field_for(group: str, name: str) -> forms.Field:
    label = LABELS.get(name, name)
    if name in ("fields", "optional_fields"):
        choices = [
            (n, REGISTRATION_FIELDS[n].label if n in REGISTRATION_FIELDS else n)
            for n in REGISTRATION_FIELD_NAMES
        ]
        return forms.MultipleChoiceField(
            label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
        )
    key = name if group == "modules" else f"{group}.{name}"
    kind = policies.setting_type(key)
    if kind is bool:
        return forms.BooleanField(label=label, required=False)
    if kind is int:
        low, high = policies.setting_limits(key) or (0, 10_000)
        return forms.IntegerField(label=label, min_value=low, max_value=high)
    if kind is str:
        return forms.CharField(label=label, required=False, max_length=200)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return forms.ChoiceField(label=label, choices=_choices(kind))
    member = kind.__args__[0]  # tuple[SomeEnum, ...]
    return forms.MultipleChoiceField(
        label=label,
        choices=_choices(member),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def settings_form(group: str, data=None, initial=None) -> forms.Form:
    form = forms.Form(data, initial=initial)
    for name in SECTIONS[group][1]:
        form.fields[name] = _field_for(group, name)
    return form


def _initial(config, group: str) -> dict:
    if group == "modules":
        return {"modules": [str(m) for m in config.modules]}
    value = getattr(config, group)
    out = {
        name: policies.dump(getattr(value, name))
        for name in SECTIONS[group][1]
        if name not in ("fields", "optional_fields")
    }
    if group == "registration":
        out["fields"] = [f.name for f in value.fields]
        out["optional_fields"] = [f.name for f in value.fields if not f.required]
    return out


def _new_value(config, group: str, data: dict):
    """The group's JSON with the form's values put in (other fields as they are)."""
    if group == "modules":
        return list(data["modules"])
    current = getattr(config, group)
    changes = {k: v for k, v in data.items() if k not in ("fields", "optional_fields")}
    if group == "registration":
        asked, optional = list(data["fields"]), set(data["optional_fields"])
        kept = [f.name for f in current.fields if f.name in asked]
        order = kept + [n for n in asked if n not in kept]  # new fields at the end
        changes["fields"] = tuple(
            policies.RegistrationField(name=n, required=n not in optional) for n in order
        )
    typed = {
        k: policies.load(policies.setting_type(f"{group}.{k}"), policies.dump(v))
        if k != "fields"
        else v
        for k, v in changes.items()
    }
    return policies.dump(dataclasses.replace(current, **typed))


def asvs_warnings(config, group: str = "") -> list[str]:
    """Choices weaker than OWASP ASVS 4.0 (level 1–2) recommends, in words: of one group of
    rules, or of all."""
    return [text for where, text in _asvs_warnings(config) if not group or where == group]


def _asvs_warnings(config) -> list[tuple[str, str]]:
    p, links, out = config.password_policy, config.links, []
    if p.min_length < 12:
        out.append(
            (
                "password_policy",
                _("Passwords shorter than 12 characters are allowed (ASVS 2.1.1: at least 12)."),
            )
        )
    if p.max_length < 64:
        out.append(
            (
                "password_policy",
                _("Passwords longer than %(n)d characters are refused (ASVS 2.1.2: allow 64).")
                % {"n": p.max_length},
            )
        )
    composition = (
        p.min_uppercase,
        p.min_lowercase,
        p.min_letters,
        p.min_digits,
        p.min_special,
        p.min_digits_or_special,
        p.no_special,
        p.ascii_only,
    )
    if any(composition):
        out.append(
            (
                "password_policy",
                _("Passwords must follow composition rules (ASVS 2.1.9: no composition rules)."),
            )
        )
    if not p.reject_common:
        out.append(
            (
                "password_policy",
                _("Common and leaked passwords are accepted (ASVS 2.1.7: refuse them)."),
            )
        )
    if config.session.idle_timeout_minutes > 30 or config.session.staff_idle_timeout_minutes > 30:
        out.append(("session", _("A session stays open more than 30 idle minutes (ASVS 3.3.2).")))
    if max(links.activation_hours, links.password_reset_hours, links.set_password_hours) > 24:
        out.append(("links", _("A link stays valid more than 24 hours (ASVS 2.3.1: short-lived).")))
    return out


def add_setting_errors(
    form: forms.Form, exc: ApplicationError | policies.PolicyError, group: str
) -> None:
    """A refused change of ``group``: each problem on the field it names (else on the form)."""
    problems = (
        exc.extra.get("fields", {})
        if isinstance(exc, ApplicationError)
        else {f"{group}.{k}": v for k, v in exc.problems.items()}
    )
    for path, message in problems.items():
        name = path.partition(".")[2] if "." in path else path
        for text in message if isinstance(message, list) else [message]:
            form.add_error(name if name in form.fields else None, str(text))
    if not form.errors:
        form.add_error(None, getattr(exc, "message", str(exc)))


def _audit(request, group: str, before, after) -> None:
    """The change in the office's own log too (the platform keeps its own record)."""
    if group == "modules":
        old_modules = ", ".join(str(m) for m in before.modules)
        changes = {"modules": [old_modules, ", ".join(str(m) for m in after.modules)]}
    else:
        old, new = policies.dump(getattr(before, group)), policies.dump(getattr(after, group))
        changes = {
            f"{group}.{k}": [old.get(k), new.get(k)] for k in new if old.get(k) != new.get(k)
        }
    services.audit(
        AuthEvent.Kind.SETTINGS_CHANGED,
        login=request.user.get_username(),
        info=request_info(request),
        actor=request.user.get_username(),
        changes=changes,
    )


@staff_required("tenant.configure")
def settings_index(request):
    config = request.tenant.configuration
    return render(
        request,
        "identity/office/settings_index.html",
        {
            "sections": [(key, title) for key, (title, _names) in SECTIONS.items()],
            "warnings": asvs_warnings(config),
        },
    )


@staff_required("tenant.configure")
def settings_section(request, group: str):
    if group not in SECTIONS:
        raise Http404
    tenant = request.tenant
    config = tenant.configuration
    form = settings_form(group, request.POST or None, initial=_initial(config, group))
    if request.method == "POST" and form.is_valid():
        try:
            changed = tenant_setting_set(
                tenant=tenant,
                key=group,
                value=_new_value(config, group, form.cleaned_data),
                actor=request.user,
            )
        except (ApplicationError, policies.PolicyError) as exc:
            add_setting_errors(form, exc, group)
        else:
            if changed:
                saved = type(tenant).objects.get(pk=tenant.pk).configuration
                _audit(request, group, config, saved)
                messages.success(request, _("The settings are saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("office_settings_section", group=group)
    return render(
        request,
        "identity/office/settings_section.html",
        {
            "group": group,
            "title": SECTIONS[group][0],
            "form": form,
            "warnings": asvs_warnings(config, group),
            "heading": format_lazy("{}: {}", gettext_lazy("Rules"), SECTIONS[group][0]),
        },
        status=400 if form.errors else 200,
    )
