from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    login = forms.CharField(
        label=_("Login"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember = forms.BooleanField(label=_("Remember me"), required=False)


class SetPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "data-password-checklist": "1"}
        ),
    )
    new_password_repeat = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordChangeForm(SetPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password", "new_password_repeat"]

    def __init__(self, *args, forced: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if forced:
            self.fields["current_password"].label = _("Temporary password or one-time code")


class ResetRequestForm(forms.Form):
    login = forms.CharField(
        label=_("Login"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )


class ReminderForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class TermsForm(forms.Form):
    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        for doc in documents:
            self.fields[f"doc_{doc.pk}"] = forms.BooleanField(
                label=_("I have read and accept: %(title)s (version %(version)s)")
                % {"title": doc.shown_title, "version": doc.version},
                required=True,
                error_messages={"required": _("Please accept this document.")},
            )

    def accepted_ids(self) -> list[int]:
        return [
            int(name.removeprefix("doc_")) for name, value in self.cleaned_data.items() if value
        ]


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class TwoFactorEnrolForm(forms.Form):
    """The code of the new authenticator; replacing one also asks for the password and a code
    of the current authenticator (or a backup code)."""

    code = forms.CharField(
        label=_("Code from the new app"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, replacing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if replacing:
            self.fields["current_code"] = forms.CharField(
                label=_("Code from your current app, or a backup code"),
                max_length=20,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields["current_password"] = forms.CharField(
                label=_("Your password"),
                max_length=256,
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )


def _text(label, max_length: int, autocomplete: str = "", **attrs) -> forms.CharField:
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.TextInput(attrs=attrs),
    )


class ContactForm(forms.Form):
    """The customer's own contact data (seed A's account page fields for the address)."""

    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = _text(_("Phone"), 32, "tel", inputmode="tel", type="tel")
    country = _text(_("Country (empty: Poland)"), 60, "country-name")
    postcode = _text(_("Postcode"), 10, "postal-code", inputmode="numeric")
    post_office = _text(_("Post office"), 80)
    town = _text(_("Town"), 80, "address-level2")
    street = _text(_("Street"), 120, "address-line1")
    house_no = _text(_("House number"), 20)
    flat_no = _text(_("Flat number"), 20)
    current_password = forms.CharField(
        label=_("Current password (needed to change the e-mail address or phone)"),
        strip=False,
        max_length=256,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    ADDRESS = ("country", "postcode", "post_office", "town", "street", "house_no", "flat_no")

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "phone": data["phone"],
            "address": {name: data[name] for name in self.ADDRESS},
        }


class PasswordConfirmForm(forms.Form):
    current_password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ErasureRecordForm(forms.Form):
    login = forms.CharField(label=_("Customer's login"), max_length=150)
    reason = forms.CharField(
        label=_("How and when the request was made"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
