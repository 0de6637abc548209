from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.selectors import tenant_public_info


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
