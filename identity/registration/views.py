"""Registration pages (the form per the tenant's flow, activation), the office's review queue, and
the API of API.md "Registration"."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import PORTAL_ROLES
from core.errors import ApplicationError, CoreErrorCode
from core.http import base_url
from core.throttling import client_ip, hit
from identity import registration, selectors, services
from identity.errors import IdentityErrorCode, LinkExpired, LinkUsed
from identity.letters import credentials_letter
from identity.models import RegistrationRequest, StaffAccess, User
from identity.permissions import staff_required
from identity.registration.services import (
    account_create_in_person,
    first_login_password_reissue,
    registration_activate,
    registration_review,
    registration_submit,
    registrations_open,
    review_match,
)
from identity.views import add_form_errors, request_info

IDENTIFYING_FIELDS = ("pesel_or_nip", "customer_symbol", "contract_number", "invoice_number")


def _throttle(request, cleaned: dict) -> None:
    """Per client address and per identifier, so no one can try many identities or many times
    the same one (raises Throttled)."""
    hit("registration_ip", client_ip(request))
    for name in IDENTIFYING_FIELDS:
        value = "".join(str(cleaned.get(name) or "").split()).upper()
        if value:
            hit("registration_identifier", f"{name}:{value}")


def _setup(request):
    config = selectors.tenant_config()
    settings = config.registration
    documents = selectors.current_documents(settings.required_documents)
    return config, settings, documents


def _not_open_yet(request) -> bool:
    """The page's friendly answer to what ``registrations_open`` refuses."""
    try:
        registrations_open()
    except ApplicationError:
        return True
    return False


def register_view(request):
    config, settings, documents = _setup(request)
    if _not_open_yet(request):
        return render(request, "identity/register_not_open.html", status=404)
    if not settings.online:
        return render(request, "identity/register_in_person.html", status=200)
    form = registration.registration_form(
        settings, documents, request.POST if request.method == "POST" else None
    )
    status_code = 400
    if (
        request.method == "POST"
        and form.is_valid()
        and not registration.check_captcha(form, settings)
    ):
        form.add_error(
            "captcha", _("The answer to the human check is not right. Please answer the new one.")
        )
    if request.method == "POST" and not form.is_valid():
        # Every error at once: a bad checksum or a mismatch is told beside a missing field or a
        # wrong answer to the human check.
        for name, errors in registration.check(form.cleaned_data, settings).errors.items():
            if name in form.fields and name not in form.errors:
                for _code, message in errors:
                    form.add_error(name, message)
    elif request.method == "POST" and form.is_valid():
        try:
            _throttle(request, form.cleaned_data)
            created = registration_submit(
                cleaned=form.cleaned_data,
                documents=documents,
                info=request_info(request),
                base_url=base_url(request),
            )
        except ApplicationError as exc:
            add_form_errors(form, exc)
            status_code = exc.status if exc.status == 429 else 400
        else:
            return render(request, "identity/register_done.html", {"status": created.status})
    if form.is_bound and "captcha" in form.fields:
        # A new question is shown after any error: the answer to the old one must not stay in
        # the field, or fixing the reported field fails again on the human check.
        form.errors  # noqa: B018 - validate with the typed answer before it is cleared
        form.data["captcha"] = ""
    return render(
        request,
        "identity/register.html",
        {"form": form, "documents": documents, "settings": settings},
        status=status_code if form.errors else 200,
    )


def register_activate_view(request, token: str):
    try:
        registration_activate(token=token)
    except (LinkExpired, LinkUsed) as exc:
        return render(
            request,
            "identity/link_invalid.html",
            {"message": exc.message, "again_url": "/register/"},
            status=410,
        )
    return render(request, "identity/register_activated.html")


@staff_required("registrations.review")
def office_registrations(request):
    queue = RegistrationRequest.objects.filter(
        status=RegistrationRequest.Status.AWAITING_REVIEW
    ).order_by("created_at")
    rows = []
    for item in queue[:100]:
        result, name_differs = review_match(item)
        rows.append(
            {
                "request": item,
                "given": registration.details_for_people(item.details),
                "match": result,
                "name_differs": name_differs,
            }
        )
    shown = sorted({c for row in rows for c in row["match"].customer_ids})
    if shown:
        # The review shows the matched customer records next to what the person typed.
        services.staff_access_record(
            actor=request.user,
            customer_ids=shown,
            field_group=StaffAccess.FieldGroup.IDENTITY,
            purpose=StaffAccess.Purpose.REGISTRATION_REVIEW,
        )
    return render(request, "identity/office/registrations.html", {"rows": rows})


@require_POST
@staff_required("registrations.review")
def office_registration_decide(request, pk: int):

    approve = request.POST.get("decision") == "approve"
    try:
        registration_review(
            request_id=pk,
            approve=approve,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            base_url=base_url(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The account is active and the applicant has been e-mailed.")
            if approve
            else _("The request was rejected and the applicant has been e-mailed."),
        )
    return redirect("office_registrations")


# --- API ----------------------------------------------------------------------------------------


class RegistrationApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: dict, 404: dict})
    def get(self, request: Request) -> Response:
        config, settings, documents = _setup(request)
        registrations_open()
        if not settings.online:
            raise ApplicationError(
                _("Accounts are opened at the office."),
                code=IdentityErrorCode.REGISTRATION_CLOSED,
                status=404,
            )
        form = registration.registration_form(settings, documents)
        return Response(
            {
                "flow": str(settings.flow),
                "fields": [
                    {
                        "name": name,
                        "required": f.required,
                        "label": str(f.label),
                        "help": str(f.help_text or ""),
                    }
                    for name, f in form.fields.items()
                    if not name.startswith(("accept_", "captcha")) and name != "gdpr_consent"
                ],
                "consents": [
                    {
                        "name": f"accept_{d.kind}",
                        "document": d.pk,
                        "kind": d.kind,
                        "version": d.version,
                        "title": d.shown_title,
                    }
                    for d in documents
                ]
                + (
                    [{"name": "gdpr_consent", "title": str(form.fields["gdpr_consent"].label)}]
                    if settings.gdpr_consent
                    else []
                ),
                "captcha": None
                if str(settings.captcha) == "none"
                else {
                    "kind": str(settings.captcha),
                    "token": form.challenge.token,
                    "prompt": form.challenge.prompt,
                },
            }
        )

    @extend_schema(request=dict, responses={202: dict})
    def post(self, request: Request) -> Response:
        config, settings, documents = _setup(request)
        registrations_open()
        if not settings.online:
            raise ApplicationError(
                _("Accounts are opened at the office."),
                code=IdentityErrorCode.REGISTRATION_CLOSED,
                status=404,
            )
        form = registration.registration_form(settings, documents, request.data)
        if form.is_valid() and not registration.check_captcha(form, settings):
            form.add_error(
                "captcha",
                DjangoValidationError(
                    _("The answer to the human check is not right."),
                    code=IdentityErrorCode.CAPTCHA,
                ),
            )
        if not form.is_valid():
            # The shared handler renders it: {"code": "invalid", "fields": {name: [{code, …}]}}.
            raise ApplicationError(
                _("Some fields are not valid."),
                code=CoreErrorCode.INVALID,
                extra={"fields": form.errors.as_data()},
            )
        _throttle(request, form.cleaned_data)
        created = registration_submit(
            cleaned=form.cleaned_data,
            documents=documents,
            info=request_info(request),
            base_url=base_url(request),
        )
        answer = {
            "received": "request_received",
            "awaiting_review": "request_received",
            "activation_sent": "activation_sent",
            "completed": "request_received",
        }
        return Response(
            {"status": answer.get(created.status, "pending_verification")},
            status=status.HTTP_202_ACCEPTED,
        )


class RegistrationActivateApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    class ActivateSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=200)

    @extend_schema(request=ActivateSerializer, responses={200: dict, 410: dict})
    def post(self, request: Request) -> Response:
        data = self.ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration_activate(token=data.validated_data["token"])
        return Response({"status": "active"})


class InPersonForm(forms.Form):
    symbol = forms.CharField(label=gettext_lazy("Customer symbol"), max_length=32)
    login = forms.CharField(
        label=gettext_lazy("Login (empty: the customer symbol)"), max_length=150, required=False
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail address (optional)"), max_length=254, required=False
    )
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=32, required=False)


def _letter(request, user, password):

    content = credentials_letter(
        branding=request.tenant.configuration.branding,
        login=user.shown_login,
        password=password,
        name=user.greeting_name,
        login_url=f"{base_url(request)}/login/",
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dane-logowania-{user.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required("accounts.create")
def office_account_new(request):
    """Open an account at the office; the answer is the credentials letter to print."""
    form = InPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = account_create_in_person(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            return _letter(request, user, password)
    return render(
        request,
        "identity/office/account_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required("accounts.create")
def office_password_reissue_by_login(request):
    """The in-person page's second form: a new first-login password for an existing account."""

    login = request.POST.get("login", "").strip()
    user = (
        User.objects.filter(username__iexact=login, role__in=PORTAL_ROLES).first()
        if login
        else None
    )
    if user is None:
        messages.error(request, _("No customer account has this login."))
        return redirect("office_account_new")
    password = first_login_password_reissue(user=user, actor=request.user)
    return _letter(request, user, password)


@require_POST
@staff_required("accounts.create")
def office_password_reissue(request, pk: int):

    user = get_object_or_404(User, pk=pk, role__in=PORTAL_ROLES)
    password = first_login_password_reissue(user=user, actor=request.user)
    return _letter(request, user, password)
