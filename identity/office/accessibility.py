"""The accessibility declaration (deklaracja dostępności): edited by the tenant's administrator,
kept in the tenant's typed configuration (``tenants.policies.AccessibilityDeclaration``, saved
and audited through ``tenant_setting_set``), published for everyone at
``/deklaracja-dostepnosci/`` and linked from every page's footer. The law asks for a review each
year by 31 March: the office's home counts it as due until it is done."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from identity.accessibility import ASSESSMENT, COMPLIANCE
from identity.office.settings import _audit, add_setting_errors
from identity.permissions import staff_required
from tenants import policies
from tenants.policies import AccessibilityDeclaration
from tenants.services import tenant_setting_set

DATES = ("published_on", "updated_on", "prepared_on", "reviewed_on")


def _day(label) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _text(label, rows: int, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=AccessibilityDeclaration.LONG,
        required=False,
    )


class DeclarationForm(forms.Form):
    entity = forms.CharField(
        label=gettext_lazy("The body that declares"),
        help_text=gettext_lazy("Empty: the organisation's name from the payee settings."),
        max_length=200,
        required=False,
    )
    published_on = _day(gettext_lazy("Date the portal was published"))
    updated_on = _day(gettext_lazy("Date of the last significant update"))
    status = forms.ChoiceField(
        label=gettext_lazy("Compliance with the law"),
        choices=[(str(k), v) for k, v in COMPLIANCE.items()],
    )
    exceptions = _text(gettext_lazy("What is not accessible, and why (one item a line)"), 5)
    prepared_on = _day(gettext_lazy("Date the declaration was prepared"))
    reviewed_on = _day(gettext_lazy("Date of the last review"))
    assessment = forms.ChoiceField(
        label=gettext_lazy("Prepared on the basis of"),
        choices=[(str(k), v) for k, v in ASSESSMENT.items()],
    )
    assessor = forms.CharField(
        label=gettext_lazy("The outside body (if any)"), max_length=200, required=False
    )
    contact_person = forms.CharField(
        label=gettext_lazy("Who answers requests about accessibility"),
        max_length=200,
        required=False,
    )
    contact_email = forms.EmailField(label=gettext_lazy("Their e-mail"), required=False)
    contact_phone = forms.CharField(
        label=gettext_lazy("Their phone"), max_length=200, required=False
    )
    architecture = _text(
        gettext_lazy("Architectural accessibility of the office"),
        5,
        gettext_lazy(
            "Entrances, ramps and lifts, parking for people with disabilities, an induction "
            "loop, an assistance dog's entry."
        ),
    )
    sign_language = _text(gettext_lazy("Sign-language interpreter"), 2)
    reviewed_today = forms.BooleanField(
        label=gettext_lazy("I have reviewed the declaration today"), required=False
    )

    def declaration(self) -> AccessibilityDeclaration:
        data = dict(self.cleaned_data)
        if data.pop("reviewed_today"):
            data["reviewed_on"] = timezone.localdate()
        for name in DATES:
            data[name] = data[name].isoformat() if data[name] else ""
        return AccessibilityDeclaration(
            **{k: v.strip() if isinstance(v, str) else v for k, v in data.items()},
        )


def _initial(declaration: AccessibilityDeclaration) -> dict:
    out = dataclasses.asdict(declaration)
    for name in DATES:
        out[name] = out[name] or None
    out["status"], out["assessment"] = str(declaration.status), str(declaration.assessment)
    return out


@staff_required("tenant.configure")
def accessibility_edit(request):
    tenant = request.tenant
    config = tenant.configuration
    form = DeclarationForm(
        request.POST if request.method == "POST" else None, initial=_initial(config.accessibility)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = tenant_setting_set(
                tenant=tenant,
                key="accessibility",
                value=policies.dump(form.declaration()),
                actor=request.user,
            )
        except (ApplicationError, policies.PolicyError) as exc:
            add_setting_errors(form, exc, "accessibility")
        else:
            if changed:
                saved = type(tenant).objects.get(pk=tenant.pk).configuration
                _audit(request, "accessibility", config, saved)
                messages.success(request, _("The accessibility declaration is saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("office_accessibility")
    return render(
        request,
        "identity/office/accessibility.html",
        {
            "form": form,
            "due": config.accessibility.review_due(timezone.localdate()),
            "year": timezone.localdate().year,
        },
        status=400 if form.errors else 200,
    )
