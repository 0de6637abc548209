"""API.md "Customer data": every list is scoped to what the actor may see (billing.selectors)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import exporting, fa3, models, selectors, services
from billing.errors import BillingErrorCode
from billing.importing import decode_text
from billing.views import invoice_content, invoice_pdf_response, invoice_xml_response
from core.errors import ApplicationError, CoreErrorCode
from core.pagination import Cursor
from identity.authentication import ApiKeyAuthentication, IntegrationOnly
from identity.views import request_info

FOCUS_PARAMETERS = [
    OpenApiParameter(
        "customer", int, required=False, description="A manager: only this customer's part."
    ),
    OpenApiParameter(
        "building", int, required=False, description="A manager: only this building's premises."
    ),
]


def focus_of(request) -> selectors.Focus | None:
    """The focus a view of ``FocusMixin`` read from the query, None in the others."""
    return getattr(request, "focus", None)


class FocusMixin:
    """``?customer=`` or ``?building=``: the API's form of a manager's switcher. It narrows what
    the actor sees (billing.selectors._focused), never widens it."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.focus = None
        for key in ("customer", "building"):
            value = request.query_params.get(key, "")
            if not value:
                continue
            if not value.isdigit():
                message = _("Enter a whole number.")
                raise ApplicationError(
                    message, code=CoreErrorCode.INVALID, extra={"fields": {key: [message]}}
                )
            visible = selectors.unfocused_scope(request.user).customer_ids
            if key == "customer" and visible is not None and int(value) not in visible:
                raise ApplicationError(_("Not found."), code=BillingErrorCode.NOT_FOUND, status=404)
            request.focus = {key: int(value)}
            return


@extend_schema(parameters=FOCUS_PARAMETERS)
class ScopedListApi(FocusMixin, ListAPIView):
    pagination_class = Cursor
    selector = None
    ordering = ("-id",)

    def get_queryset(self):
        return type(self).selector(actor=self.request.user, focus=self.request.focus)

    def paginate_queryset(self, queryset):
        self.paginator.ordering = self.ordering
        return super().paginate_queryset(queryset)


class PremisesSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Premises
        fields = ["id", "kind", "street", "building_no", "flat_no", "postcode", "city", "area"]


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Contract
        fields = ["id", "number", "kind", "status", "signed_on", "valid_from", "valid_to"]


class ChargeSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Charge
        fields = ["id", "component", "period", "amount", "due_date", "premises_id"]


class InvoiceSerializer(serializers.ModelSerializer):
    is_paid = serializers.BooleanField(read_only=True)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = models.Invoice
        fields = [
            "id",
            "number",
            "kind",
            "issue_date",
            "due_date",
            "gross",
            "paid",
            "outstanding",
            "is_paid",
            "sale_date",
            "net",
            "vat",
            "split_payment",
            "corrects",
            "ksef_number",
            "ksef_mode",
        ]


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.InvoiceLine
        fields = [
            "position",
            "name",
            "unit",
            "quantity",
            "unit_net",
            "vat_rate",
            "net",
            "vat",
            "gross",
            "before",
        ]


class RateTotalSerializer(serializers.Serializer):
    rate = serializers.CharField()
    net = serializers.DecimalField(max_digits=14, decimal_places=2)
    vat = serializers.DecimalField(max_digits=14, decimal_places=2)
    gross = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    totals = RateTotalSerializer(many=True, read_only=True)
    differences = RateTotalSerializer(many=True, read_only=True)
    kod1_url = serializers.CharField(allow_null=True, read_only=True)
    kod1_label = serializers.CharField(allow_null=True, read_only=True)
    xml_url = serializers.CharField(allow_null=True, read_only=True)
    kod2_url = serializers.CharField(allow_null=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [
            *InvoiceSerializer.Meta.fields,
            "lines",
            "totals",
            "differences",
            "kod1_url",
            "kod1_label",
            "kod2_url",
            "xml_url",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.PaymentReceived
        fields = ["id", "paid_on", "amount", "title", "invoice_id"]


class SettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Settlement
        fields = ["id", "kind", "period_from", "period_to", "amount", "issued_on"]


class BalanceConfirmationSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.BalanceConfirmation
        fields = ["id", "as_of", "amount", "status", "comment", "answered_at"]


class PremisesApi(ScopedListApi):
    serializer_class = PremisesSerializer
    selector = selectors.premises_list
    ordering = ("city", "street", "building_no", "flat_no", "id")


class ContractsApi(ScopedListApi):
    serializer_class = ContractSerializer
    selector = selectors.contract_list
    ordering = ("-id",)


class ChargesApi(ScopedListApi):
    serializer_class = ChargeSerializer
    selector = selectors.charge_list
    ordering = ("-period", "-id")


class InvoicesApi(ScopedListApi):
    serializer_class = InvoiceSerializer
    selector = selectors.invoice_list
    ordering = ("-issue_date", "-id")


class PaymentsApi(ScopedListApi):
    serializer_class = PaymentSerializer
    selector = selectors.payment_list
    ordering = ("-paid_on", "-id")


class SettlementsApi(ScopedListApi):
    serializer_class = SettlementSerializer
    selector = selectors.settlement_list
    ordering = ("-issued_on", "-id")


class BalanceConfirmationsApi(ScopedListApi):
    serializer_class = BalanceConfirmationSerializer
    selector = selectors.balance_confirmation_list
    ordering = ("-as_of", "-id")


class BalanceApi(FocusMixin, APIView):
    @extend_schema(
        parameters=FOCUS_PARAMETERS,
        responses=inline_serializer(
            "Balance",
            fields={
                "charged": serializers.DecimalField(max_digits=14, decimal_places=2),
                "paid": serializers.DecimalField(max_digits=14, decimal_places=2),
                "paid_online": serializers.DecimalField(max_digits=14, decimal_places=2),
                "balance": serializers.DecimalField(max_digits=14, decimal_places=2),
                "by_month": serializers.ListField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        total = selectors.balance(actor=request.user, focus=focus_of(request))
        months = selectors.balance_by_month(actor=request.user, focus=focus_of(request))
        money = lambda value: f"{value:.2f}"  # noqa: E731
        return Response(
            {
                "charged": money(total.charged),
                "paid": money(total.paid),
                # Paid online, not yet in the ERP's payments: counted in the balance already.
                "paid_online": money(total.paid_online),
                "balance": money(total.balance),
                "by_month": [
                    {
                        "period": m["period"].isoformat(),
                        "charged": money(m["charged"]),
                        "paid": money(m["paid"]),
                        "balance": money(m["balance"]),
                    }
                    for m in months
                ],
            }
        )


class BalanceConfirmationAnswerApi(APIView):
    confirm = True

    class AnswerSerializer(serializers.Serializer):
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(request=AnswerSerializer, responses=BalanceConfirmationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = self.AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answered = services.balance_confirmation_answer(
            actor=request.user,
            confirmation_id=pk,
            confirm=self.confirm,
            comment=data.validated_data.get("comment", ""),
        )
        return Response(BalanceConfirmationSerializer(answered).data)


class BalanceDisputeApi(BalanceConfirmationAnswerApi):
    confirm = False


CUSTOMER_PARAM = OpenApiParameter(
    "customer",
    int,
    required=False,
    description="The customer (needed when the account holds several).",
)


def _customer_id(request: Request) -> int:
    customers = list(
        selectors.customer_list(actor=request.user, focus=focus_of(request)).values_list(
            "pk", flat=True
        )[:50]
    )
    wanted = request.query_params.get("customer")
    if wanted:
        if not wanted.isdigit() or int(wanted) not in customers:
            raise ApplicationError(_("Not found."), code=BillingErrorCode.NOT_FOUND, status=404)
        return int(wanted)
    if len(customers) != 1:
        raise ApplicationError(
            _("Choose the customer."),
            code=BillingErrorCode.CUSTOMER_REQUIRED,
            extra={"fields": {"customer": [_("This field is required.")]}},
        )
    return customers[0]


class EInvoiceApi(APIView):
    class EInvoiceOutputSerializer(serializers.Serializer):
        customer = serializers.IntegerField(source="customer_id")
        active = serializers.BooleanField()
        email = serializers.EmailField(allow_blank=True)
        history = serializers.SerializerMethodField()

        def get_history(self, consent) -> list[dict]:
            return [
                {"action": e.action, "email": e.email, "at": e.created_at.isoformat()}
                for e in selectors.einvoice_history(customer_id=consent.customer_id)
            ]

    class EInvoiceInputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        current_password = serializers.CharField(
            max_length=256, required=False, allow_blank=True, trim_whitespace=False
        )

    @extend_schema(parameters=[CUSTOMER_PARAM], responses=EInvoiceOutputSerializer)
    def get(self, request: Request) -> Response:
        consent = selectors.einvoice_consent(
            actor=request.user, focus=focus_of(request), customer_id=_customer_id(request)
        )
        return Response(self.EInvoiceOutputSerializer(consent).data)

    @extend_schema(
        parameters=[CUSTOMER_PARAM],
        request=EInvoiceInputSerializer,
        responses=EInvoiceOutputSerializer,
    )
    def put(self, request: Request) -> Response:
        data = self.EInvoiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.einvoice_set(
            actor=request.user,
            customer_id=_customer_id(request),
            email=data.validated_data["email"],
            current_password=data.validated_data.get("current_password", ""),
            info=request_info(request),
        )
        return Response(self.EInvoiceOutputSerializer(consent).data)

    @extend_schema(parameters=[CUSTOMER_PARAM], request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        services.einvoice_withdraw(
            actor=request.user, customer_id=_customer_id(request), info=request_info(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImportApi(APIView):
    """Upload one ERP file (CSV with a header row, or JSON lines) for an entity; it is imported in
    the background. ``?dry_run=1`` reports what would change and writes nothing; ``?encoding=``
    names the file's encoding (``utf-8``, ``windows-1250``, ``cp852``, ``iso-8859-2``;
    recognised when not given)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IntegrationOnly]

    @extend_schema(
        request={"text/csv": {"type": "string"}, "application/x-ndjson": {"type": "string"}},
        parameters=[
            OpenApiParameter("dry_run", bool, required=False),
            OpenApiParameter(
                "encoding",
                str,
                required=False,
                enum=["auto", "utf-8", "windows-1250", "cp852", "iso-8859-2"],
                description="The file's encoding; recognised when not given.",
            ),
        ],
        responses={
            202: inline_serializer("ImportAccepted", fields={"job": serializers.IntegerField()})
        },
    )
    def post(self, request: Request, entity: str) -> Response:
        raw = request._request.read(services.MAX_IMPORT_BYTES + 1)
        if len(raw) > services.MAX_IMPORT_BYTES:
            raise ApplicationError(
                _("The file is too large (at most 100 MB)."),
                code=BillingErrorCode.TOO_LARGE,
                status=413,
            )
        try:
            payload = decode_text(raw, request.query_params.get("encoding") or "auto")
        except (UnicodeDecodeError, KeyError) as exc:
            raise ApplicationError(
                _("The file is not text in UTF-8, Windows-1250 or CP852."),
                code=BillingErrorCode.ENCODING,
            ) from exc
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        job = services.import_job_create(entity=entity, payload=payload, dry_run=dry_run)
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)


class ImportJobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = models.ImportJob
        fields = [
            "id",
            "entity",
            "dry_run",
            "status",
            "total_rows",
            "processed_rows",
            "progress",
            "created",
            "updated",
            "unchanged",
            "errors",
            "failure",
            "created_at",
            "finished_at",
        ]

    def get_progress(self, job) -> int:
        return job.percent


class ImportJobApi(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IntegrationOnly]

    @extend_schema(responses=ImportJobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        job = models.ImportJob.objects.filter(pk=pk).defer("payload").first()
        if job is None:
            raise ApplicationError(_("Not found."), code=BillingErrorCode.NOT_FOUND, status=404)
        return Response(ImportJobSerializer(job).data)


class InvoiceApi(FocusMixin, APIView):
    """One invoice with its lines, the totals per VAT rate and KOD I (its verification link and
    label), as the invoice page shows them."""

    @extend_schema(parameters=FOCUS_PARAMETERS, responses=InvoiceDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        invoice = selectors.invoice_get(actor=request.user, focus=request.focus, invoice_id=pk)
        if invoice is None:
            raise ApplicationError(_("Not found."), code=BillingErrorCode.NOT_FOUND, status=404)
        content = invoice_content(request, invoice)
        invoice.totals = content["totals"]
        invoice.differences = content["differences"]
        invoice.kod1_url = content["kod1"]["url"] if content["kod1"] else None
        invoice.kod1_label = content["kod1"]["label"] if content["kod1"] else None
        invoice.kod2_url = content["kod2"]["url"] if content["kod2"] else None
        invoice.xml_url = (
            request.build_absolute_uri(reverse("api-invoice-xml", args=[invoice.pk]))
            if content["has_xml"]
            else None
        )
        return Response(InvoiceDetailSerializer(invoice).data)


class InvoicePdfApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int):

        return invoice_pdf_response(request, pk)


INVOICE_XML_IMPORTED = inline_serializer(
    "InvoiceXmlImported",
    fields={
        "invoice": serializers.IntegerField(allow_null=True),
        "number": serializers.CharField(),
        "created": serializers.BooleanField(),
        "lines": serializers.IntegerField(),
        "xml_sha256": serializers.CharField(),
        "dry_run": serializers.BooleanField(),
    },
)


class InvoiceXmlApi(APIView):
    """The invoice's FA(3) XML as KSeF holds it (404 when the ERP has not sent it)."""

    @extend_schema(responses={(200, "application/xml"): bytes})
    def get(self, request: Request, pk: int):
        return invoice_xml_response(request, pk)


class InvoiceXmlImportApi(APIView):
    """Send one invoice as KSeF holds it, its FA(3) XML (at most 3 MB), to create the invoice
    ``erp_id`` or complete the ERP's: its content and lines are taken from the XML, which is kept
    for the customer to download and whose SHA-256 KOD I carries. The KSeF number and acceptance
    time (not in the XML) come as parameters. Refused with the reason, and nothing written, when
    the XML is not FA(3), declares a DTD or entities, is not this organisation's, or its totals
    do not add up. ``?dry_run=1`` checks and writes nothing."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IntegrationOnly]

    @extend_schema(
        request={"application/xml": {"type": "string", "format": "binary"}},
        parameters=[
            OpenApiParameter("erp_id", str, required=True, description="The invoice's ERP id."),
            OpenApiParameter(
                "customer", str, required=False, description="The customer's ERP id (new invoice)."
            ),
            OpenApiParameter("premises", str, required=False, description="The premises' ERP id."),
            OpenApiParameter("ksef_number", str, required=False),
            OpenApiParameter("ksef_accepted_at", OpenApiTypes.DATETIME, required=False),
            OpenApiParameter("ksef_mode", str, required=False, enum=["online", "offline"]),
            OpenApiParameter(
                "kod2_url", str, required=False, description="KOD II of an invoice issued offline."
            ),
            OpenApiParameter("dry_run", bool, required=False),
        ],
        responses={
            (200, "application/json"): INVOICE_XML_IMPORTED,
            (201, "application/json"): INVOICE_XML_IMPORTED,
        },
    )
    def post(self, request: Request) -> Response:
        raw = request._request.read(fa3.MAX_XML_BYTES + 1)
        query = request.query_params
        dry_run = query.get("dry_run", "").lower() in ("1", "true", "yes")
        done = services.invoice_xml_import(
            raw=raw,
            erp_id=query.get("erp_id", ""),
            seller_nip=request.tenant.configuration.payee.nip,
            customer_erp_id=query.get("customer", ""),
            premises_erp_id=query.get("premises", ""),
            ksef_number=query.get("ksef_number", ""),
            ksef_accepted_at=query.get("ksef_accepted_at", ""),
            ksef_mode=query.get("ksef_mode", ""),
            kod2_url=query.get("kod2_url", ""),
            dry_run=dry_run,
        )
        body = {
            "invoice": None if dry_run else done.invoice.pk,
            "number": done.invoice.number,
            "created": done.created,
            "lines": done.lines,
            "xml_sha256": done.invoice.xml_sha256,
            "dry_run": dry_run,
        }
        created = done.created and not dry_run
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ExportApi(APIView):
    """What the ERP pulls back, a feed at a time: ``customers`` (``?since=`` a time to start
    from), ``contact``, ``e-invoice``, ``acceptances``, ``readings`` (cases and online payments
    have exports of their own). Rows come in the order they were written or changed; keep the
    ``cursor`` of the last page and send it back (``?cursor=``) to get only what came after.
    Rows younger than a few seconds wait for the next page, so none is missed."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IntegrationOnly]

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, required=False),
            OpenApiParameter("since", OpenApiTypes.DATETIME, required=False),
            OpenApiParameter("limit", int, required=False),
        ],
        responses={
            200: inline_serializer(
                "ExportPage",
                {
                    "results": serializers.ListField(child=serializers.DictField()),
                    "next": serializers.URLField(allow_null=True),
                    "cursor": serializers.CharField(),
                },
            ),
        },
    )
    def get(self, request: Request, feed: str) -> Response:
        if feed not in exporting.feeds():
            raise ApplicationError(_("Not found."), code=BillingErrorCode.NOT_FOUND, status=404)
        since = None
        if request.query_params.get("since"):
            if feed != "customers":
                raise _invalid("since", _("Only the customers can be read from a time."))
            since = parse_datetime(request.query_params["since"])
            if since is None:
                raise _invalid("since", _("Give a date and time, e.g. 2026-01-31T08:00:00+01:00."))
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
        try:
            limit = min(max(int(request.query_params.get("limit", exporting.PAGE)), 1), 1000)
        except ValueError:
            raise _invalid("limit", _("Give a whole number from 1 to 1000.")) from None
        try:
            page = exporting.page(
                feed, request.query_params.get("cursor", ""), limit=limit, since=since
            )
        except exporting.BadCursor:
            raise _invalid("cursor", _("This cursor was not given by this feed.")) from None
        next_url = None
        if page["more"]:
            next_url = request.build_absolute_uri(
                f"{request.path}?{urlencode({'cursor': page['cursor'], 'limit': limit})}"
            )
        return Response({"results": page["results"], "next": next_url, "cursor": page["cursor"]})


def _invalid(field: str, message) -> ApplicationError:
    return ApplicationError(
        str(message),
        code=CoreErrorCode.INVALID,
        extra={"fields": {field: [str(message)]}},
    )
