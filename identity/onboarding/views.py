"""The setup wizard of a new portal (/office/onboarding/), for its administrator."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.collation import in_language_order
from core.errors import ApplicationError
from core.http import base_url
from identity import onboarding, selectors
from identity.models import Document, User
from identity.onboarding import invitations
from identity.permissions import staff_required
from identity.views import add_form_errors, request_info
from tenants import policies
from tenants.presets import preset_choices
from tenants.provisioning import tenant_publish
from tenants.services import host_for_slug

STEPS = [
    ("branding", gettext_lazy("Branding")),
    ("rules", gettext_lazy("Registration and security")),
    ("documents", gettext_lazy("Documents")),
    ("staff", gettext_lazy("Staff")),
    ("import", gettext_lazy("First import")),
    ("domain", gettext_lazy("Custom domain")),
    ("publish", gettext_lazy("Publish")),
]
# How each registration flow reads to an administrator (the rules page names the current one).
FLOW_LABELS = {
    "activation_request": gettext_lazy("an activation request checked by the office"),
    "verified_self_service": gettext_lazy("self-service registration checked against the records"),
    "contract_activation": gettext_lazy("registration by contract with an activation link"),
    "in_person": gettext_lazy("accounts opened at the office only"),
    "invoice_activation": gettext_lazy("registration by invoice number"),
    "custom": gettext_lazy("your own set of fields"),
}
COLOUR = forms.TextInput(attrs={"type": "color", "data-contrast-check": "1"})


class BrandingForm(forms.Form):
    portal_name = forms.CharField(label=gettext_lazy("Portal name"), max_length=200)
    short_name = forms.CharField(label=gettext_lazy("Short name"), max_length=100)
    primary_colour = forms.RegexField(
        label=gettext_lazy("Main colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=COLOUR
    )
    accent_colour = forms.RegexField(
        label=gettext_lazy("Accent colour"), regex=r"^#[0-9a-fA-F]{6}$", widget=COLOUR
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo (PNG, JPEG or WebP, up to 1 MB)"), required=False
    )
    contact_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=50, required=False)
    contact_email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    contact_address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)

    # The tenant's own texts, each in the platform's languages (Polish stands in for an empty
    # one): setting path → label.
    TEXTS = {
        "branding.office_hours": gettext_lazy("Office hours"),
        "branding.footer": gettext_lazy("Footer note"),
        "wording.login_label": gettext_lazy("Name of the login field"),
        "wording.reset_button": gettext_lazy("Button that sends a new password"),
        "wording.premises_section": gettext_lazy("Name of the premises section"),
        "password_policy.description": gettext_lazy("Password rules as you word them"),
        "registration.customer_symbol_help": gettext_lazy("Where to find the customer symbol"),
        "lockout.locked_message": gettext_lazy("Message on a locked account"),
    }
    LANGUAGES = (
        ("pl", gettext_lazy("Polish")),
        ("en", gettext_lazy("English")),
        ("uk", gettext_lazy("Ukrainian")),
    )

    def __init__(self, *args, config=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.text_groups = []
        for path, label in self.TEXTS.items():
            group, name = path.split(".")
            current = getattr(getattr(config, group), name) if config else None
            names = []
            for code, language in self.LANGUAGES:
                field_name = f"{group}__{name}__{code}"
                self.fields[field_name] = forms.CharField(
                    label=f"{label} – {language}", max_length=300, required=False
                )
                if current is not None:
                    self.initial.setdefault(field_name, getattr(current, code))
                names.append(field_name)
            self.text_groups.append((label, names))

    def plain_fields(self):
        return [self[name] for name in self.fields if "__" not in name]

    def text_fieldsets(self):
        return [(label, [self[n] for n in names]) for label, names in self.text_groups]

    def texts(self) -> dict:
        """The texts as stored: setting path (``branding.footer``) → {language: text}."""
        out: dict = {}
        for name, value in self.cleaned_data.items():
            if name.count("__") == 2:
                group, text, code = name.split("__")
                out.setdefault(f"{group}.{text}", {})[code] = value.strip()
        return out

    def clean_primary_colour(self):
        return self.cleaned_data["primary_colour"].lower()

    def clean_accent_colour(self):
        return self.cleaned_data["accent_colour"].lower()


def _setting_field(key: str, label) -> forms.IntegerField:
    """A number field bounded by the policy type's own limits (the same ones every writer of
    the setting is held to), so the form never refuses what a preset sets."""
    low, high = policies.setting_limits(key)
    return forms.IntegerField(label=label, min_value=low, max_value=high)


class RulesForm(forms.Form):
    # form field → the setting it writes
    SETTINGS = {
        "min_length": "password_policy.min_length",
        "threshold": "lockout.threshold",
        "idle_timeout_minutes": "session.idle_timeout_minutes",
        "activation_hours": "links.activation_hours",
    }
    # settings the form writes alongside, or whose check a field's value can fail
    NEIGHBOURS = {  # noqa: S105 - setting names, not passwords
        "links.set_password_hours": "activation_hours",
        "password_policy.max_length": "min_length",
    }

    online = forms.BooleanField(label=gettext_lazy("Customers can register online"), required=False)
    min_length = _setting_field(
        "password_policy.min_length", gettext_lazy("Minimum password length")
    )
    threshold = _setting_field(
        "lockout.threshold", gettext_lazy("Failed logins that lock an account")
    )
    idle_timeout_minutes = _setting_field(
        "session.idle_timeout_minutes", gettext_lazy("Idle minutes before automatic logout")
    )
    activation_hours = _setting_field(
        "links.activation_hours",
        gettext_lazy("Hours an activation or set-password link is valid"),
    )

    def add_setting_errors(self, exc: ApplicationError) -> None:
        """A refused setting's problems beside the field that wrote it."""
        by_setting = {key: name for name, key in self.SETTINGS.items()} | self.NEIGHBOURS
        for path, problems in (exc.extra.get("fields") or {}).items():
            for problem in problems if isinstance(problems, list) else [problems]:
                self.add_error(by_setting.get(path), str(problem))
        if not self.errors:
            self.add_error(None, exc.message)


class PresetForm(forms.Form):
    preset = forms.ChoiceField(
        label=gettext_lazy("Take every rule from"),
        choices=preset_choices(),
    )


class InviteForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[(r.value, r.label) for r in User.Role if r.value in User.STAFF_ROLES],
    )


def _page(request, step: str, context: dict, status: int = 200) -> HttpResponse:
    tenant = request.tenant
    return render(
        request,
        f"identity/office/onboarding_{step}.html",
        {"steps": STEPS, "step": step, "t": tenant, **context},
        status=status,
    )


def _rules_initial(config) -> dict:
    return {
        "online": config.registration.online,
        "min_length": config.password_policy.min_length,
        "threshold": config.lockout.threshold,
        "idle_timeout_minutes": config.session.idle_timeout_minutes,
        "activation_hours": config.links.activation_hours,
    }


def _required_documents(config) -> list[tuple[str, Document | None]]:
    """Each document kind the tenant requires, with its current published version or None."""
    required = [str(k) for k in config.registration.required_documents]
    current = {d.kind: d for d in selectors.current_documents(required)}
    return [(kind, current.get(kind)) for kind in required]


def _branding(request, tenant, config) -> HttpResponse:
    form = BrandingForm(
        request.POST or None,
        request.FILES or None,
        initial=policies.dump(config.branding),
        config=config,
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "logo" and "__" not in k}
        try:
            onboarding.branding_save(
                tenant=tenant,
                values=values,
                texts=form.texts(),
                logo=form.cleaned_data["logo"],
                actor=request.user,
            )
        except ApplicationError as exc:
            _add_text_errors(form, exc)
        else:
            messages.success(request, _("The branding is saved."))
            return redirect("office_onboarding_step", step="rules")
    colour = form.data.get("primary_colour") or config.branding.primary_colour
    report = onboarding.colour_report(colour) if len(colour) == 7 else None
    return _page(request, "branding", {"form": form, "report": report}, 400 if form.errors else 200)


def _add_text_errors(form, exc: ApplicationError) -> None:
    """A refused setting's problems beside its field (``branding.footer.pl`` is the Polish
    footer field)."""
    fields = exc.extra.get("fields") or {}
    for path, problems in fields.items():
        parts = path.split(".")
        name = "__".join(parts) if len(parts) == 3 else parts[-1]
        for problem in problems if isinstance(problems, list) else [problems]:
            form.add_error(name if name in form.fields else None, str(problem))
    if not fields:
        form.add_error(None, exc.message)


def _rules(request, tenant, config) -> HttpResponse:
    form = RulesForm(initial=_rules_initial(config))
    preset_form = PresetForm(initial={"preset": tenant.preset})
    if request.method == "POST" and "preset" in request.POST:
        preset_form = PresetForm(request.POST)
        if preset_form.is_valid():
            onboarding.rules_from_preset(
                tenant=tenant, code=preset_form.cleaned_data["preset"], actor=request.user
            )
            messages.success(request, _("The rules of the chosen preset are applied."))
            return redirect("office_onboarding_step", step="rules")
    elif request.method == "POST":
        form = RulesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            values = {
                "registration.online": data["online"],
                "password_policy.min_length": data["min_length"],
                "lockout.threshold": data["threshold"],
                "session.idle_timeout_minutes": data["idle_timeout_minutes"],
                "links.activation_hours": data["activation_hours"],
                "links.set_password_hours": data["activation_hours"],
            }
            try:
                onboarding.rules_adjust(tenant=tenant, values=values, actor=request.user)
            except ApplicationError as exc:
                form.add_setting_errors(exc)
            else:
                messages.success(request, _("The rules are saved."))
                return redirect("office_onboarding_step", step="documents")
    failed = bool(form.errors or preset_form.errors)
    context = {
        "form": form,
        "preset_form": preset_form,
        "config": config,
        "flow": FLOW_LABELS.get(str(config.registration.flow), str(config.registration.flow)),
    }
    return _page(request, "rules", context, 400 if failed else 200)


def _documents(request, tenant, config) -> HttpResponse:
    rows = [(Document.Kind(kind).label, doc) for kind, doc in _required_documents(config)]
    return _page(request, "documents", {"rows": rows})


def _staff(request, tenant, config) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.staff_invite(
                **form.cleaned_data,
                base_url=base_url(request),
                actor=request.user,
                info=request_info(request),
            )
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("office_onboarding_step", step="staff")
    staff = User.objects.filter(role__in=User.STAFF_ROLES).order_by(
        *in_language_order("last_name", "first_name"), "pk"
    )
    return _page(request, "staff", {"form": form, "staff": staff}, 400 if form.errors else 200)


def _import(request, tenant, config) -> HttpResponse:
    # The import page belongs to billing, which identity does not import: found by name.
    try:
        import_url = reverse("office_import")
    except NoReverseMatch:
        import_url = ""
    return _page(request, "import", {"import_url": import_url})


def _domain(request, tenant, config) -> HttpResponse:
    context = {"target": host_for_slug(tenant.slug), "domains": list(tenant.domains.all())}
    return _page(request, "domain", context)


def _publish(request, tenant, config) -> HttpResponse:
    if request.method == "POST":
        try:
            tenant_publish(tenant=tenant, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The portal is open: customers can register now."))
            return redirect("office_home")
    missing = sum(1 for _kind, doc in _required_documents(config) if doc is None)
    return _page(request, "publish", {"missing_documents": missing})


STEP_VIEWS = {
    "branding": _branding,
    "rules": _rules,
    "documents": _documents,
    "staff": _staff,
    "import": _import,
    "domain": _domain,
    "publish": _publish,
}


@staff_required("tenant.configure")
def onboarding_step(request: HttpRequest, step: str = "branding") -> HttpResponse:
    view = STEP_VIEWS.get(step)
    if view is None:
        raise Http404
    return view(request, request.tenant, request.tenant.configuration)


def branding_logo(request: HttpRequest, name: str) -> HttpResponse:
    """The tenant's logo from its own storage folder (never another tenant's)."""
    if "/" in name or not name.startswith("logo-"):
        raise Http404
    path = onboarding.logo_path(name)
    if not default_storage.exists(path):
        raise Http404
    response = FileResponse(default_storage.open(path, "rb"))
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
