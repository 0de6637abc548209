from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import Role, api_access, has_role
from core.authentication import SessionAuthentication
from core.errors import ApplicationError, CoreErrorCode
from core.http import base_url
from core.throttling import client_ip, hit
from tenants import provisioning
from tenants.forms import clean_nip, clean_regon, clean_slug
from tenants.models import Tenant
from tenants.presets import PRESET_LABELS
from tenants.selectors import (
    signup_by_public_id,
    signup_status,
    tenant_console_list,
    tenant_public_info,
)
from tenants.services import slug_problem
from tenants.views import tenant_url_builder


class TenantInfoApi(APIView):
    """The tenant's public information: branding, modules, login identifiers, registration flow,
    password policy, idle timeout and lockout threshold."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class TenantInfoSerializer(serializers.Serializer):
        name = serializers.CharField()
        portal_name = serializers.CharField()
        kind = serializers.CharField()
        languages = serializers.ListField(child=serializers.CharField())
        branding = serializers.DictField()
        modules = serializers.ListField(child=serializers.CharField())
        login_identifiers = serializers.ListField(child=serializers.CharField())
        registration = inline_serializer(
            "TenantRegistration",
            fields={"flow": serializers.CharField(), "online": serializers.BooleanField()},
        )
        password_policy = serializers.DictField()
        idle_timeout_seconds = serializers.IntegerField()
        lockout_threshold = serializers.IntegerField()

    @extend_schema(responses=TenantInfoSerializer, operation_id="tenant_info")
    def get(self, request: Request) -> Response:
        return Response(tenant_public_info(tenant=request.tenant))


# --- the platform's root host ---------------------------------------------------------------


class SignupApi(APIView):
    """Start an organisation's signup: the confirmation link goes to the administrator's e-mail;
    nothing is created before it is followed. Answers 202 with the signup's id for
    ``GET /api/v1/signup/{id}``."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class InputSerializer(serializers.Serializer):
        organisation_name = serializers.CharField(max_length=200)
        kind = serializers.ChoiceField(choices=Tenant.Kind.choices)
        nip = serializers.CharField(max_length=20)
        regon = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        address = serializers.CharField(max_length=300)
        admin_first_name = serializers.CharField(max_length=150)
        admin_last_name = serializers.CharField(max_length=150)
        admin_email = serializers.EmailField()
        subdomain = serializers.CharField(max_length=63)
        preset = serializers.ChoiceField(
            choices=list(PRESET_LABELS), required=False, allow_blank=True, default=""
        )
        accept_terms = serializers.BooleanField()

        def _django(self, check, value):
            try:
                return check(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages[0], code=exc.code) from exc

        def validate_nip(self, value):
            return self._django(clean_nip, value)

        def validate_regon(self, value):
            return self._django(clean_regon, value)

        def validate_subdomain(self, value):
            return self._django(clean_slug, value)

        def validate_accept_terms(self, value):
            if not value:
                raise serializers.ValidationError(
                    _("You must accept the platform's terms of service."),
                    code=CoreErrorCode.REQUIRED,
                )
            return value

    class StatusSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        status = serializers.CharField()
        status_label = serializers.CharField()
        step = serializers.IntegerField()
        step_label = serializers.CharField()
        percent = serializers.IntegerField()
        finished = serializers.BooleanField()
        error = serializers.CharField()
        subdomain = serializers.CharField()
        portal_url = serializers.CharField(allow_null=True)

    @extend_schema(
        request=InputSerializer, responses={202: StatusSerializer}, operation_id="signup_create"
    )
    def post(self, request: Request) -> Response:

        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hit("signup_ip", client_ip(request))  # Throttled answers 429 with Retry-After
        hit("signup_email", data["admin_email"])
        signup = provisioning.signup_request(
            **{name: data[name] for name in provisioning.SIGNUP_FIELDS},
            slug=data["subdomain"],
            preset=data["preset"] or None,
            language=get_language() or "pl",
            ip=client_ip(request),
            base_url=base_url(request),
        )
        body = signup_status(signup, tenant_url_for=tenant_url_builder(request))
        return Response(body, status=202)


class SignupStatusApi(APIView):
    """A signup's progress: waiting for the e-mail confirmation, queued, being set up (step and
    percent), ready (with the portal's address) or failed."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=SignupApi.StatusSerializer, operation_id="signup_status")
    def get(self, request: Request, public_id) -> Response:
        signup = signup_by_public_id(public_id)
        if signup is None:
            raise Http404
        return Response(signup_status(signup, tenant_url_for=tenant_url_builder(request)))


class SubdomainAvailabilityApi(APIView):
    """Whether a subdomain can be had (format, reserved words, taken), for the live check."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[OpenApiParameter("subdomain", str, required=True)],
        responses=inline_serializer(
            "SubdomainAvailability",
            fields={
                "subdomain": serializers.CharField(),
                "available": serializers.BooleanField(),
                "code": serializers.CharField(allow_null=True),
                "detail": serializers.CharField(),
            },
        ),
        operation_id="signup_subdomain_availability",
    )
    def get(self, request: Request) -> Response:

        hit("signup_availability_ip", client_ip(request))
        subdomain = request.query_params.get("subdomain", "").strip().lower()[:100]
        problem = slug_problem(subdomain, held_by_signups=True)
        return Response(
            {
                "subdomain": subdomain,
                "available": problem is None,
                "code": problem.code if problem else None,
                "detail": problem.message if problem else _("This subdomain is available."),
            }
        )


# A platform operator whose session has confirmed the second factor.
VerifiedOperator = api_access(lambda user: has_role(user, Role.OPERATOR), second_factor=True)


class OperatorTenantListApi(APIView):
    """The operators' tenant list with status and figures (counts only, never customer data).
    Browser session of an operator with the second factor confirmed."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [VerifiedOperator]

    class TenantSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        slug = serializers.CharField()
        kind = serializers.CharField()
        status = serializers.CharField()
        preset = serializers.CharField()
        created_at = serializers.DateTimeField()
        domains = serializers.ListField(child=serializers.CharField())
        customers = serializers.IntegerField(allow_null=True)
        accounts = serializers.IntegerField(allow_null=True)
        last_activity = serializers.DateTimeField(allow_null=True)
        storage_bytes = serializers.IntegerField(allow_null=True)

    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("status", str)],
        responses=TenantSerializer(many=True),
        operation_id="operator_tenant_list",
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", "")
        if status and status not in Tenant.Status.values:
            raise ApplicationError(
                _("Unknown status."),
                code=CoreErrorCode.INVALID,
                extra={
                    "fields": {
                        "status": [
                            _("Choose one of: %(values)s.")
                            % {"values": ", ".join(Tenant.Status.values)}
                        ]
                    }
                },
            )
        rows = tenant_console_list(query=request.query_params.get("q", "")[:100], status=status)
        return Response({"results": self.TenantSerializer(rows, many=True).data, "next": None})
