"""API.md "Customer data": meters, their readings, a reading's submission and consumption by
month. Every read goes through metering.selectors with the acting user."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api import FOCUS_PARAMETERS, FocusMixin, ScopedListApi, focus_of
from core.errors import ApplicationError
from metering import selectors, services
from metering.errors import MeteringErrorCode
from metering.models import Meter, Reading
from tenants.policies import Module


def _offered(request: Request) -> None:
    config = request.tenant.configuration
    if not (config.has_module(Module.METERS) or config.has_module(Module.READINGS)):
        raise ApplicationError(_("Not found."), code=MeteringErrorCode.NOT_FOUND, status=404)


def _meter(request: Request, pk: int) -> Meter:
    _offered(request)
    meter = selectors.meter_get(actor=request.user, meter_id=pk, focus=focus_of(request))
    if meter is None:
        raise ApplicationError(_("Not found."), code=MeteringErrorCode.NOT_FOUND, status=404)
    return meter


class RegisterSerializer(serializers.Serializer):
    code = serializers.CharField()


class MeterSerializer(serializers.ModelSerializer):
    registers = RegisterSerializer(many=True, read_only=True)
    in_service = serializers.BooleanField(read_only=True)
    replaces = serializers.IntegerField(source="replaces_id", allow_null=True, read_only=True)

    class Meta:
        model = Meter
        fields = [
            "id",
            "serial_number",
            "kind",
            "unit",
            "location",
            "premises_id",
            "service_point_id",
            "installed_on",
            "removed_on",
            "legalisation_valid_until",
            "is_main",
            "in_service",
            "replaces",
            "registers",
        ]


class ReadingSerializer(serializers.ModelSerializer):
    register = serializers.CharField(source="register.code", read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Reading
        fields = ["id", "register", "value", "read_at", "source", "status", "reason", "has_photo"]

    def get_has_photo(self, reading: Reading) -> bool:
        return bool(reading.photo)


class MetersApi(ScopedListApi):
    serializer_class = MeterSerializer
    ordering = ("id",)

    def get_queryset(self):
        _offered(self.request)
        return selectors.meter_list(
            actor=self.request.user, focus=self.request.focus
        ).prefetch_related("registers")


class MeterReadingsApi(FocusMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser]

    class SubmitSerializer(serializers.Serializer):
        value = serializers.CharField(max_length=32)
        read_at = serializers.DateTimeField(required=False)
        register = serializers.CharField(max_length=16, required=False, allow_blank=True)
        confirm = serializers.BooleanField(required=False, default=False)
        photo = serializers.FileField(required=False)

    @extend_schema(parameters=FOCUS_PARAMETERS, responses=ReadingSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        meter = _meter(request, pk)
        paginator = ScopedListApi.pagination_class()
        paginator.ordering = ("-read_at", "-id")
        rows = selectors.reading_list(actor=request.user, meter=meter)
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ReadingSerializer(page, many=True).data)

    @extend_schema(
        parameters=FOCUS_PARAMETERS, request=SubmitSerializer, responses={201: ReadingSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        _meter(request, pk)  # another's or an unknown meter: 404 before anything is read
        data = self.SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        reading = services.reading_submit(
            actor=request.user,
            meter_id=pk,
            value=values["value"],
            read_at=values.get("read_at"),
            register_code=values.get("register") or None,
            confirm=values["confirm"],
            photo=values.get("photo"),
            focus=focus_of(request),
        )
        return Response(ReadingSerializer(reading).data, status=status.HTTP_201_CREATED)


class MeterConsumptionApi(FocusMixin, APIView):
    @extend_schema(
        parameters=[
            *FOCUS_PARAMETERS,
            OpenApiParameter("months", int, required=False, description="1 to 120; 24 if absent."),
        ],
        responses=inline_serializer(
            "Consumption",
            fields={"unit": serializers.CharField(), "months": serializers.ListField()},
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        meter = _meter(request, pk)
        raw = request.query_params.get("months", "24")
        if not raw.isdigit() or not 1 <= int(raw) <= 120:
            message = _("Enter a number from %(low)d to %(high)d.") % {"low": 1, "high": 120}
            raise ApplicationError(
                message,
                code=MeteringErrorCode.INVALID_PERIOD,
                extra={"fields": {"months": [message]}},
            )
        rows = selectors.monthly_use(actor=request.user, meter=meter, months=int(raw))

        def amount(value):
            return None if value is None else f"{value:.3f}"

        return Response(
            {
                "unit": meter.unit,
                "months": [
                    {
                        "month": row["month"].isoformat()[:7],
                        "used": amount(row["used"]),
                        "year_before": amount(row["year_before"]),
                        "registers": {code: amount(v) for code, v in row["registers"].items()},
                        "complete": row["complete"],
                    }
                    for row in rows
                ],
            }
        )
