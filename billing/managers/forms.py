from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy
from stdnum.pl import nip

from billing.errors import BillingErrorCode


class ApplicationForm(forms.Form):
    company_name = forms.CharField(label=gettext_lazy("Company name"), max_length=200)
    nip = forms.CharField(label=gettext_lazy("NIP"), max_length=13)
    contact_person = forms.CharField(label=gettext_lazy("Contact person"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    addresses = forms.CharField(
        label=gettext_lazy("Addresses you administer (one per line)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_nip(self):
        value = nip.compact(self.cleaned_data["nip"])
        if not nip.is_valid(value):
            raise forms.ValidationError(
                gettext_lazy("The NIP number is not valid."), code=BillingErrorCode.INVALID_NIP
            )
        return value
