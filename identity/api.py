"""API.md "Authentication and account security": the same services and rules as the pages."""

from __future__ import annotations

from django.contrib.auth import logout as session_logout
from django.contrib.auth import update_session_auth_hash
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError, CoreErrorCode
from core.http import base_url
from core.throttling import client_ip, hit
from identity import policies, selectors, services
from identity.authentication import AccountReady
from identity.errors import IdentityErrorCode
from identity.middleware import MUST_CHANGE, TERMS_PENDING, idle_timeout_seconds
from identity.models import (
    ApiToken,
    AuthEvent,
    ConsentChannel,
    ConsentPurpose,
    CorrespondenceAddress,
    DataExport,
    User,
)
from identity.twofactor import services as twofactor
from identity.views import request_info


def _terms_payload(request: Request, user: User) -> list[dict]:
    return [
        {
            "id": d.pk,
            "kind": d.kind,
            "version": d.version,
            "title": d.shown_title,
            # The document's page (always there; the PDF is served through its own view).
            "url": request.build_absolute_uri(reverse("document", args=[d.pk])),
            "pdf_url": request.build_absolute_uri(reverse("document_pdf", args=[d.pk]))
            if d.pdf
            else None,
        }
        for d in selectors.documents_to_accept(user)
    ]


class LoginApi(APIView):
    """Log in; returns a bearer token that expires after the tenant's idle timeout without use.
    An unknown login and a wrong password answer alike, and both lock after the same number of
    tries. Staff (and everyone, where the tenant says so) send the second factor as ``otp``."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class LoginInputSerializer(serializers.Serializer):
        login = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)
        otp = serializers.CharField(max_length=20, required=False, allow_blank=True)

    @extend_schema(
        request=LoginInputSerializer,
        responses=inline_serializer(
            "LoginResult",
            fields={
                "token": serializers.CharField(),
                "expires_in": serializers.IntegerField(),
                "must_change_password": serializers.BooleanField(),
                "terms_to_accept": serializers.ListField(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        login = data.validated_data["login"]
        hit("login_ip", client_ip(request))
        hit("login_account", selectors.normalise_login(login))
        user = services.login_attempt(
            login=login, password=data.validated_data["password"], info=request_info(request)
        )
        if twofactor.second_factor_required(user):
            otp = data.validated_data.get("otp", "")
            if not twofactor.has_confirmed_device(user):
                raise ApplicationError(
                    _("Set up two-factor authentication on the web page first."),
                    code=IdentityErrorCode.TWO_FACTOR_ENROLMENT_REQUIRED,
                    status=403,
                )
            if not otp:
                raise ApplicationError(
                    _("Enter the code from your authenticator app."),
                    code=IdentityErrorCode.TWO_FACTOR_REQUIRED,
                    status=401,
                )
            if (
                twofactor.second_factor_verify(user=user, token=otp, info=request_info(request))
                is None
            ):
                raise ApplicationError(
                    _("The code is not valid."), code=IdentityErrorCode.INVALID_OTP, status=401
                )
        terms = _terms_payload(request, user)
        token = services.api_token_issue(user=user, terms_pending=bool(terms))
        return Response(
            {
                "token": token,
                "expires_in": idle_timeout_seconds(user),
                "must_change_password": user.must_change_password,
                "terms_to_accept": terms,
            }
        )


class LogoutApi(APIView):
    permission_classes = [AccountReady]
    allow_pending = True

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.audit(
            AuthEvent.Kind.LOGGED_OUT,
            user=request.user,
            login=request.user.get_username(),
            info=request_info(request),
        )
        if isinstance(request.auth, ApiToken):
            services.api_token_end(token=request.auth)
        else:
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordPolicyApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer("PasswordPolicy", fields={"rules": serializers.ListField()})
    )
    def get(self, request: Request) -> Response:
        config = selectors.tenant_config()
        rules = policies.describe(config.password_policy) if config else []
        return Response(
            {
                "rules": [{"code": r.code, "detail": r.detail, "value": r.value} for r in rules],
                "description": str(config.password_policy.description) if config else "",
            }
        )


class PasswordCheckApi(APIView):
    """Check a candidate password against the tenant's rules (no authentication, throttled):
    the page's checklist asks it for the rules it cannot judge itself (a common password).
    Earlier passwords are never judged here: an answer about them would let anyone holding a
    session test guesses of the current password without the re-authentication's limit and
    audit; they are checked when the form is sent."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class PasswordCheckInputSerializer(serializers.Serializer):
        password = serializers.CharField(max_length=256, trim_whitespace=False, allow_blank=True)
        login = serializers.CharField(max_length=150, required=False, allow_blank=True)

    @extend_schema(
        request=PasswordCheckInputSerializer,
        responses=inline_serializer(
            "PasswordCheck",
            fields={
                "valid": serializers.BooleanField(),
                "unmet": serializers.ListField(child=serializers.CharField()),
                "checked": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.PasswordCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hit("password_check_ip", client_ip(request))
        config = selectors.tenant_config()
        verdicts = policies.evaluate(
            data.validated_data["password"],
            config.password_policy,
            login=data.validated_data.get("login") or None,
        )
        unmet = [v.code for v in verdicts if not v.met]
        checked = [v.code for v in verdicts]
        return Response({"valid": not unmet, "unmet": unmet, "checked": checked})


class PasswordChangeApi(APIView):
    permission_classes = [AccountReady]
    allow_pending = True

    class PasswordChangeInputSerializer(serializers.Serializer):
        current_password = serializers.CharField(max_length=256, trim_whitespace=False)
        new_password = serializers.CharField(max_length=256, trim_whitespace=False)
        new_password_repeat = serializers.CharField(max_length=256, trim_whitespace=False)

    @extend_schema(request=PasswordChangeInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.PasswordChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current_token = request.auth if isinstance(request.auth, ApiToken) else None
        services.password_change(
            user=request.user,
            info=request_info(request),
            keep_api_token=current_token,
            **data.validated_data,
        )
        session = getattr(request._request, "session", None)
        if session is not None:
            update_session_auth_hash(request._request, request.user)
            session[MUST_CHANGE] = False
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    class PasswordResetInputSerializer(serializers.Serializer):
        login = serializers.CharField(max_length=150)

    @extend_schema(request=PasswordResetInputSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        data = self.PasswordResetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        login = data.validated_data["login"]
        hit("reset_ip", client_ip(request))
        hit("reset_login", selectors.normalise_login(login))
        services.password_reset_request(
            login=login, base_url=base_url(request), info=request_info(request)
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class LoginReminderApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    class LoginReminderInputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(request=LoginReminderInputSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        data = self.LoginReminderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hit("reminder_ip", client_ip(request))
        hit("reminder_email", data.validated_data["email"])
        services.login_reminder_request(
            email=data.validated_data["email"],
            base_url=base_url(request),
            info=request_info(request),
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class TermsAcceptApi(APIView):
    permission_classes = [AccountReady]
    allow_pending = True

    class TermsAcceptInputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(), allow_empty=False, max_length=20
        )

    @extend_schema(request=TermsAcceptInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        if request.user.must_change_password:
            raise ApplicationError(
                _("Please set a new password first."),
                code=IdentityErrorCode.PASSWORD_CHANGE_REQUIRED,
                status=428,
            )
        data = self.TermsAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.documents_accept(
            user=request.user, ids=data.validated_data["ids"], info=request_info(request)
        )
        if isinstance(request.auth, ApiToken):
            ApiToken.objects.filter(pk=request.auth.pk).update(terms_pending=False)
        session = getattr(request._request, "session", None)
        if session is not None:
            session[TERMS_PENDING] = False
        return Response(status=status.HTTP_204_NO_CONTENT)


class AddressSerializer(serializers.Serializer):
    country = serializers.CharField(max_length=60, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    post_office = serializers.CharField(max_length=80, required=False, allow_blank=True)
    town = serializers.CharField(max_length=80, required=False, allow_blank=True)
    street = serializers.CharField(max_length=120, required=False, allow_blank=True)
    house_no = serializers.CharField(max_length=20, required=False, allow_blank=True)
    flat_no = serializers.CharField(max_length=20, required=False, allow_blank=True)


class MeApi(APIView):
    permission_classes = [AccountReady]

    class MeOutputSerializer(serializers.ModelSerializer):
        login = serializers.CharField(source="shown_login")
        correspondence_address = serializers.SerializerMethodField()

        class Meta:
            model = User
            fields = [
                "login",
                "first_name",
                "last_name",
                "email",
                "phone",
                "role",
                "language",
                "pending_email",
                "correspondence_address",
            ]

        @extend_schema_field(AddressSerializer(allow_null=True))
        def get_correspondence_address(self, user):
            address = CorrespondenceAddress.objects.filter(user=user).first()
            return AddressSerializer(address).data if address else None

    class MePatchSerializer(serializers.Serializer):
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        email = serializers.CharField(max_length=254, required=False, allow_blank=True)
        language = serializers.ChoiceField(choices=["pl", "en", "uk"], required=False)
        correspondence_address = AddressSerializer(
            required=False,
            allow_null=True,
            help_text="null or all fields empty removes the address.",
        )
        current_password = serializers.CharField(
            max_length=256,
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            help_text="Required to change the e-mail address or the phone number.",
        )

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.MeOutputSerializer(request.user).data)

    @extend_schema(request=MePatchSerializer, responses=MeOutputSerializer)
    def patch(self, request: Request) -> Response:
        data = self.MePatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "correspondence_address" in changes:
            changes["address"] = dict(changes.pop("correspondence_address") or {})
        user = services.profile_update(
            user=request.user,
            info=request_info(request),
            base_url=base_url(request._request),
            **changes,
        )
        return Response(self.MeOutputSerializer(user).data)


class MeContactApi(APIView):
    """Erase the voluntary contact data (phone); the e-mail stays only where the account needs it
    for recovery, and is erased too when the tenant recovers in person."""

    permission_classes = [AccountReady]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        services.contact_erase(user=request.user, info=request_info(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportApi(APIView):
    """The customer's copy of their own data (art. 15 and 20 GDPR). ``GET`` reports the latest
    (404 ``not_found`` when none was asked for); ``POST`` with the account's password starts one
    (202), or answers with the one being prepared or made within the last hour. The file is
    downloaded from ``download_url`` by the account's own session (the portal page), until
    ``expires_at``. Customers only (403 ``not_allowed``)."""

    permission_classes = [AccountReady]

    class ExportSerializer(serializers.ModelSerializer):
        download_url = serializers.SerializerMethodField()

        class Meta:
            model = DataExport
            fields = [
                "id",
                "status",
                "requested_at",
                "finished_at",
                "expires_at",
                "size",
                "download_url",
            ]

        @extend_schema_field(serializers.CharField(allow_null=True))
        def get_download_url(self, export):
            if export.status != DataExport.Status.READY:
                return None
            return self.context["request"].build_absolute_uri(
                reverse("data_export_download", args=[export.pk])
            )

    class ExportInputSerializer(serializers.Serializer):
        current_password = serializers.CharField(max_length=256, trim_whitespace=False)

    @extend_schema(responses=ExportSerializer)
    def get(self, request: Request) -> Response:
        services.data_export_allowed(request.user)
        export = DataExport.objects.filter(user=request.user).first()
        if export is None:
            raise ApplicationError(_("Not found."), code=CoreErrorCode.NOT_FOUND, status=404)
        return Response(self.ExportSerializer(export, context={"request": request}).data)

    @extend_schema(request=ExportInputSerializer, responses={202: ExportSerializer})
    def post(self, request: Request) -> Response:
        services.data_export_allowed(request.user)
        data = self.ExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = services.data_export_request(
            user=request.user,
            current_password=data.validated_data["current_password"],
            base_url=base_url(request._request),
            info=request_info(request),
        )
        return Response(
            self.ExportSerializer(export, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class ConsentStateSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    title = serializers.CharField()
    text_id = serializers.IntegerField(allow_null=True)
    text_version = serializers.IntegerField()
    text_url = serializers.CharField(allow_null=True)
    granted = serializers.BooleanField()
    since = serializers.DateTimeField(allow_null=True)


class ConsentHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    title = serializers.CharField()
    detail = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    privacy_notice = serializers.IntegerField(allow_null=True)
    granted = serializers.BooleanField()
    document = serializers.BooleanField(help_text="a document accepted, not a consent")
    channel = serializers.ChoiceField(choices=ConsentChannel.choices)
    channel_label = serializers.CharField()
    recorded_by = serializers.CharField()


def _consent_state(request: Request, purpose: str) -> dict:
    text = selectors.consent_text(purpose)
    current = selectors.consent_current(request.user, purpose)
    return {
        "purpose": purpose,
        "title": str(ConsentPurpose(purpose).label),
        "text_id": text.pk if text else None,
        "text_version": text.version if text else 0,
        "text_url": request.build_absolute_uri(reverse("document", args=[text.pk]))
        if text
        else None,
        "granted": bool(current and current.granted),
        "since": current.created_at if current else None,
    }


class MeConsentsApi(APIView):
    """The consents the organisation asks for, where the account stands on each, and the
    history of every consent and accepted document (versions, times, channels). Customers and
    property managers."""

    permission_classes = [AccountReady]

    @extend_schema(
        responses=inline_serializer(
            "Consents",
            fields={
                "consents": ConsentStateSerializer(many=True),
                "history": ConsentHistorySerializer(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        services.consents_allowed(request.user)
        return Response(
            {
                "consents": ConsentStateSerializer(
                    [_consent_state(request, p) for p in selectors.consents_offered()], many=True
                ).data,
                "history": ConsentHistorySerializer(
                    selectors.consent_history(request.user), many=True
                ).data,
            }
        )


class MeConsentApi(APIView):
    """Give (``granted: true``) or withdraw (``false``) one consent: one call either way, the
    change recorded with the text's version and the channel ``api``; 404 ``not_found`` for a
    purpose not asked for here."""

    permission_classes = [AccountReady]

    class ConsentInputSerializer(serializers.Serializer):
        granted = serializers.BooleanField()

    @extend_schema(request=ConsentInputSerializer, responses=ConsentStateSerializer)
    def put(self, request: Request, purpose: str) -> Response:
        data = self.ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.consent_set(
            user=request.user,
            purpose=purpose,
            granted=data.validated_data["granted"],
            info=request_info(request),
        )
        return Response(ConsentStateSerializer(_consent_state(request, purpose)).data)
