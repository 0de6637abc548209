"""The forms of cases: filing one (its fields follow the kind), replying, rating, the public
status lookup, and the office's answer, note, status and assignment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from correspondence.attachments import ACCEPT
from correspondence.changes import CHANGE_LABELS
from correspondence.models import Case, CaseStatus
from tenants.policies import CaseField, CaseKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (each is checked by the service, by its bytes)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


ATTACHMENTS_HELP = gettext_lazy("Photos (JPEG, PNG, HEIC) or PDF documents.")


class FocusErrors:
    def focus_first_error(self) -> None:
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                self.fields[name].widget.attrs["autofocus"] = True  # type: ignore[attr-defined]
                return


# The customer data a change request may name, with the form's words for the new values.
CHANGE_FIELDS = {
    **CHANGE_LABELS,
    "email": gettext_lazy("New e-mail address"),
    "phone": gettext_lazy("New phone number"),
    "refund_account": gettext_lazy("Account for refunds (26 digits)"),
}
SENSITIVE_CHANGES = ("email", "phone", "refund_account")
# What a browser may fill in each of them with (WCAG 1.3.5).
CHANGE_AUTOCOMPLETE = {
    "email": "email",
    "phone": "tel",
    "refund_account": "off",
    "street": "address-line1",
    "building_no": "address-line2",
    "flat_no": "address-line3",
    "postcode": "postal-code",
    "city": "address-level2",
}


class CaseForm(FocusErrors, forms.Form):
    customer = forms.TypedChoiceField(label=gettext_lazy("Customer"), coerce=int)
    premises = forms.TypedChoiceField(
        label=gettext_lazy("Premises or point of supply"), coerce=int, required=False
    )
    invoice = forms.TypedChoiceField(
        label=gettext_lazy("The invoice concerned"), coerce=int, required=False
    )
    place = forms.CharField(
        label=gettext_lazy("Where exactly"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: staircase 2, basement, in front of the building."),
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("How urgent is it"),
        choices=Case.Urgency.choices,
        initial=Case.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    text = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("E-mail for the answer"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Phone (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments (optional)"), help_text=ATTACHMENTS_HELP
    )
    current_password = forms.CharField(
        label=gettext_lazy("Your current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy(
            "Needed to change the e-mail address, the phone number or the refund account."
        ),
    )

    def __init__(
        self,
        *args,
        kind: CaseKind,
        customers: list[tuple[int, str]],
        premises: list[tuple[int, str]],
        invoices: list[tuple[int, str]],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if len(customers) > 1:
            self.fields["customer"].choices = [("", pgettext_lazy("choice", "Choose")), *customers]
        else:
            del self.fields["customer"]
        if CaseField.PREMISES in kind.fields and premises:
            self.fields["premises"].choices = [
                ("", pgettext_lazy("premises", "None in particular")),
                *premises,
            ]
        else:
            del self.fields["premises"]
        if CaseField.INVOICE in kind.fields and invoices:
            self.fields["invoice"].choices = [
                ("", pgettext_lazy("invoice", "None in particular")),
                *invoices,
            ]
        else:
            del self.fields["invoice"]
        if CaseField.PLACE not in kind.fields:
            del self.fields["place"]
        if CaseField.URGENCY not in kind.fields:
            del self.fields["urgency"]
        if CaseField.CHANGE in kind.fields:
            for name, label in CHANGE_FIELDS.items():
                self.fields[f"change_{name}"] = forms.CharField(
                    label=label,
                    max_length=254,
                    required=False,
                    widget=forms.TextInput(attrs={"autocomplete": CHANGE_AUTOCOMPLETE[name]}),
                )
        else:
            del self.fields["current_password"]

    @property
    def change_fields(self):
        return [self[name] for name in self.fields if name.startswith("change_")]

    def change(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"change_{name}", "")
            for name in CHANGE_FIELDS
            if self.cleaned_data.get(f"change_{name}")
        }


class ReplyForm(FocusErrors, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments (optional)"), help_text=ATTACHMENTS_HELP
    )


class RateForm(FocusErrors, forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How do you rate the answer?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=gettext_lazy("5 is the best."),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatusLookupForm(FocusErrors, forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Case number"),
        max_length=24,
        help_text=gettext_lazy("As in the confirmation, for example REK/2026/000123."),
    )
    contact = forms.CharField(
        label=gettext_lazy("The e-mail address or phone number given in the case"), max_length=254
    )


class AnswerForm(FocusErrors, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Answer to the customer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("After sending"),
        choices=[
            (CaseStatus.ANSWERED, gettext_lazy("The case is answered")),
            (CaseStatus.WAITING, gettext_lazy("We wait for the customer's reply")),
        ],
        initial=CaseStatus.ANSWERED,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments (optional)"), help_text=ATTACHMENTS_HELP
    )


class NoteForm(FocusErrors, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Internal note (the customer never sees it)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments (optional)"), help_text=ATTACHMENTS_HELP
    )
