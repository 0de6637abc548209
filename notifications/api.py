"""``GET|PUT /api/v1/me/notifications`` (the account's choices, as the page shows them) and the
SMS provider's delivery reports (``/api/v1/notifications/sms-report/<secret>``)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import PORTAL_ROLES, has_role
from core.throttling import client_ip, hit
from identity.authentication import AccountReady
from notifications import selectors, services, sms
from notifications.models import PreferenceChange


class PortalAccount(AccountReady):
    """A customer's or a property manager's account, with no step pending."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and has_role(request.user, *PORTAL_ROLES)


class ChannelsSerializer(serializers.Serializer):
    email = serializers.BooleanField(required=False)
    sms = serializers.BooleanField(required=False)


class EventChoiceSerializer(serializers.Serializer):
    event = serializers.CharField()
    title = serializers.CharField()
    group = serializers.CharField()
    mandatory = serializers.BooleanField()
    email = serializers.BooleanField()
    sms = serializers.BooleanField()
    chosen = serializers.BooleanField(help_text="false: the organisation's default applies")


class NotificationsOutputSerializer(serializers.Serializer):
    channels = serializers.ListField(child=serializers.ChoiceField(choices=["email", "sms"]))
    digest = serializers.BooleanField()
    has_email = serializers.BooleanField()
    has_mobile_phone = serializers.BooleanField()
    events = EventChoiceSerializer(many=True)


def _payload(user) -> dict:
    config = selectors.config()
    sms_ready = selectors.sms_offered(config)
    return {
        "channels": ["email", "sms"] if sms_ready else ["email"],
        "digest": selectors.takes_digest(user=user),
        "has_email": bool(user.email),
        "has_mobile_phone": bool(sms.number_of(user.phone)),
        "events": [
            {
                "event": c.event.code,
                "title": str(c.event.title),
                "group": str(c.event.group),
                "mandatory": c.event.mandatory,
                "email": c.email,
                "sms": c.sms and sms_ready,
                "chosen": c.chosen,
            }
            for c in selectors.choices_for(user=user, tenant_config=config)
        ],
    }


class MeNotificationsApi(APIView):
    """The channels the account is told by, per event the organisation offers, and the daily
    digest. A PUT sets the events it names (others stay); every change is recorded."""

    permission_classes = [PortalAccount]

    class InputSerializer(serializers.Serializer):
        events = serializers.DictField(child=ChannelsSerializer(), required=False)
        digest = serializers.BooleanField(required=False)

    @extend_schema(responses=NotificationsOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(_payload(request.user))

    @extend_schema(request=InputSerializer, responses=NotificationsOutputSerializer)
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_set(
            user=request.user,
            choices=dict(data.validated_data.get("events") or {}),
            digest=data.validated_data.get("digest"),
            actor=request.user,
            via=PreferenceChange.Via.API,
        )
        return Response(_payload(request.user))


class SmsReportApi(APIView):
    """Delivery reports from SMSAPI.pl: GET with comma-separated ``MsgId``, ``status``,
    ``idx``, ``donedate`` (up to five reports); answered ``OK``. The secret in the address is
    the tenant's own; a wrong one is 404."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses={
            (200, "text/plain"): inline_serializer("SmsReportOk", {"ok": serializers.CharField()})
        },
        auth=[],
    )
    def get(self, request: Request, secret: str) -> HttpResponse:
        hit("sms_report_ip", client_ip(request))
        services.sms_reports_receive(secret=secret, params=request.query_params)
        return HttpResponse("OK", content_type="text/plain")
