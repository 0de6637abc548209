"""API.md: ``POST /api/v1/payments`` (chosen invoices or an amount) → 201 with where to send the
customer; ``GET /api/v1/payments/{id}``; the gateways' notifications at
``/api/v1/payments/notify/<gateway>/<payment>`` on the tenant's host."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api import FOCUS_PARAMETERS, FocusMixin, focus_of
from core import throttling
from core.errors import ApplicationError, Throttled
from core.http import moment_param
from core.pagination import Cursor
from identity.authentication import ApiKeyAuthentication, IntegrationOnly
from payments import selectors, services
from payments.errors import PaymentsErrorCode as Code
from payments.models import Gateway, Payment


class OnlinePaymentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    invoice_ids = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "status",
            "amount",
            "currency",
            "gateway",
            "created_at",
            "completed_at",
            "invoice_ids",
        ]

    def get_invoice_ids(self, payment: Payment) -> list[int]:
        return sorted(a.invoice_id for a in payment.allocations.all())


class PaymentsApi(FocusMixin, APIView):
    class StartSerializer(serializers.Serializer):
        invoice_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
            required=False,
            max_length=200,
        )
        amount = serializers.CharField(max_length=20, required=False)
        customer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    @extend_schema(
        parameters=FOCUS_PARAMETERS,
        request=StartSerializer,
        responses={
            201: inline_serializer(
                "PaymentStarted",
                fields={"id": serializers.UUIDField(), "redirect_url": serializers.URLField()},
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = self.StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not values.get("invoice_ids") and not values.get("amount"):
            message = _("Choose invoices or give an amount.")
            raise ApplicationError(
                message, code=Code.NOTHING_TO_PAY, extra={"fields": {"invoice_ids": [message]}}
            )
        payment, redirect_url = services.payment_start(
            actor=request.user,
            invoice_ids=values.get("invoice_ids"),
            amount=values.get("amount"),
            customer_id=values.get("customer"),
            focus=focus_of(request),
        )
        return Response(
            {"id": payment.public_id, "redirect_url": redirect_url},
            status=status.HTTP_201_CREATED,
        )


class PaymentApi(FocusMixin, APIView):
    @extend_schema(parameters=FOCUS_PARAMETERS, responses=OnlinePaymentSerializer)
    def get(self, request: Request, public_id) -> Response:
        payment = selectors.payment_get(
            actor=request.user, public_id=public_id, focus=focus_of(request)
        )
        if payment is None:
            raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
        return Response(OnlinePaymentSerializer(payment).data)


@method_decorator(csrf_exempt, name="dispatch")
class NotifyView(View):
    """Where a gateway posts its notification: the tenant is the host's, the payment the
    path's (Autopay's ITN address is one per service: the payment is inside); the body is
    checked with this tenant's key only. Throttled per address."""

    http_method_names = ["post"]

    def post(self, request, gateway: str, public_id=None):
        if gateway not in Gateway.values:
            return HttpResponse(status=404)
        address = throttling.client_ip(request)
        try:
            throttling.hit("payment_notify_ip", address)
        except Throttled:
            return HttpResponse(status=429)
        if int(request.headers.get("Content-Length") or 0) > 65536:
            return HttpResponse(status=413)
        reply = services.notification_receive(
            gateway=gateway,
            public_id=str(public_id) if public_id else None,
            raw=request.body,
            headers=dict(request.headers),
            remote=address if address != "unknown" else None,
        )
        return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)


class ExportCursor(Cursor):
    ordering = ("completed_at", "id")


class PaymentExportApi(APIView):
    """Booked online payments for the organisation's ERP (the tenant's API key): since a moment,
    a cursor in the order they were booked, each with the customer's ERP id, the gateway's
    transaction id (the ERP's own payments import matches on it) and the invoices it pays.
    Asking again gives the same rows: nothing is marked or consumed."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IntegrationOnly]

    class PaymentExportSerializer(serializers.ModelSerializer):
        id = serializers.UUIDField(source="public_id")
        amount = serializers.DecimalField(max_digits=12, decimal_places=2)
        customer_erp_id = serializers.CharField(source="customer.erp_id")
        invoices = serializers.SerializerMethodField()

        class Meta:
            model = Payment
            fields = [
                "id",
                "customer_erp_id",
                "amount",
                "currency",
                "gateway",
                "provider_transaction_id",
                "method",
                "completed_at",
                "invoices",
            ]

        def get_invoices(self, payment: Payment) -> list[dict]:
            return [
                {
                    "erp_id": a.invoice.erp_id,
                    "number": a.invoice.number,
                    "amount": str(Decimal(a.amount_grosze) / 100),
                }
                for a in payment.allocations.all()
            ]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", str, required=False, description="ISO 8601: payments booked from then."
            )
        ],
        responses=PaymentExportSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = (
            Payment.objects.filter(status=Payment.Status.COMPLETED)
            .select_related("customer")
            .prefetch_related("allocations__invoice")
        )
        raw = request.query_params.get("since", "")
        if raw:
            rows = rows.filter(completed_at__gte=moment_param(raw))
        paginator = ExportCursor()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(self.PaymentExportSerializer(page, many=True).data)
