"""Input of the signup form and of the operators' console."""

from __future__ import annotations

import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from tenants.errors import TenantErrorCode
from tenants.models import ExportPurpose, Tenant
from tenants.presets import preset_choices
from tenants.services import slug_problem


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def clean_nip(value: str) -> str:
    value = _digits(value).upper().removeprefix("PL")
    if not nip_number.is_valid(value):
        raise forms.ValidationError(
            _("This NIP is not valid (10 digits with a correct check digit)."),
            code=TenantErrorCode.INVALID_NIP,
        )
    return value


def clean_regon(value: str) -> str:
    value = _digits(value)
    if value and not regon_number.is_valid(value):
        raise forms.ValidationError(
            _("This REGON is not valid (9 or 14 digits with a correct check digit)."),
            code=TenantErrorCode.INVALID_REGON,
        )
    return value


def clean_slug(value: str) -> str:
    value = (value or "").strip().lower()
    problem = slug_problem(value, held_by_signups=True)
    if problem is not None:
        raise forms.ValidationError(problem.message, code=problem.code)
    return value


PRESET_CHOICES = [("", _("The usual one for my kind of organisation")), *preset_choices()]


class SignupForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Tenant.Kind.choices)
    nip = forms.CharField(label=_("NIP"), max_length=20)
    regon = forms.CharField(label=_("REGON"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=300)
    admin_first_name = forms.CharField(label=_("Administrator's first name"), max_length=150)
    admin_last_name = forms.CharField(label=_("Administrator's last name"), max_length=150)
    admin_email = forms.EmailField(label=_("Administrator's e-mail"))
    slug = forms.CharField(
        label=_("Subdomain"),
        max_length=63,
        help_text=_("Lower-case letters, digits and hyphens; your portal's address."),
    )
    preset = forms.ChoiceField(
        label=_("Registration and security rules"), choices=PRESET_CHOICES, required=False
    )
    accept_terms = forms.BooleanField(label=_("I accept the platform's terms of service"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "organisation_name": "organization",
            "address": "street-address",
            "admin_first_name": "given-name",
            "admin_last_name": "family-name",
            "admin_email": "email",
            "nip": "off",
            "regon": "off",
            "slug": "off",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["nip"].widget.attrs["inputmode"] = "numeric"
        self.fields["regon"].widget.attrs["inputmode"] = "numeric"
        slug = self.fields["slug"].widget.attrs
        slug.update(
            {
                "data-availability-url": "/api/v1/signup/availability",
                "aria-describedby": "id_slug_help id_slug_status",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        )

    def clean_nip(self) -> str:
        return clean_nip(self.cleaned_data["nip"])

    def clean_regon(self) -> str:
        return clean_regon(self.cleaned_data.get("regon", ""))

    def clean_slug(self) -> str:
        return clean_slug(self.cleaned_data["slug"])


class DomainForm(forms.Form):
    domain = forms.CharField(label=_("Custom domain"), max_length=253)


class DeleteForm(forms.Form):
    confirmation = forms.CharField(label=_("Type the portal's subdomain to confirm"), max_length=63)


class ExportForm(forms.Form):
    """An export holds every customer's personal data: made for a documented purpose, with a
    reason the platform's log keeps (tenants.models.ExportPurpose)."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "—"), *ExportPurpose.choices])
    reason = forms.CharField(
        label=_("Reason (e.g. the organisation's request or the ticket's number)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SettingForm(forms.Form):
    key = forms.CharField(label=_("Setting"), max_length=100)
    value = forms.CharField(
        label=_("New value (JSON)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )

    def clean_value(self):

        try:
            return json.loads(self.cleaned_data["value"])
        except ValueError as exc:
            raise forms.ValidationError(
                _('Enter a JSON value, e.g. 12, true, "text" or {"key": 1}.'),
                code=TenantErrorCode.INVALID_JSON,
            ) from exc


class SuspendForm(forms.Form):
    # The customers of a suspended portal are shut out: the audit log must say why.
    reason = forms.CharField(label=_("Reason"), max_length=300, required=True)
