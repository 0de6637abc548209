"""API.md: ``GET|POST /api/v1/tickets``, ``GET /api/v1/tickets/{id}``, ``POST
/api/v1/tickets/{id}/messages``, attachments, the public status lookup, and the export of cases
to the ERP or a helpdesk with the tenant's API key. Customer reads go through
correspondence.selectors with the acting user; internal notes are never in an answer here."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api import FOCUS_PARAMETERS, FocusMixin, ScopedListApi, focus_of
from core import throttling, uploads
from core.errors import ApplicationError
from core.http import moment_param
from core.pagination import Cursor
from correspondence import selectors, services
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.models import (
    Announcement,
    Case,
    CaseAttachment,
    CaseMessage,
    Document,
    DocumentVersion,
    Letter,
)
from correspondence.views import attachment_response
from identity.authentication import ApiKeyAuthentication, IntegrationOnly
from tenants.policies import CASE_MODULES, Module


def _offered(request: Request) -> None:
    if not request.tenant.configuration.offers_any(*CASE_MODULES):
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseAttachment
        fields = ["id", "name", "content_type", "size"]


class MessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = CaseMessage
        fields = ["id", "kind", "from_staff", "body", "status_to", "created_at", "attachments"]


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "subject",
            "status",
            "customer_id",
            "premises_id",
            "invoice_id",
            "place",
            "urgency",
            "change",
            "change_applied_at",
            "due_on",
            "created_at",
            "updated_at",
            "answered_at",
            "closed_at",
            "rating",
        ]


class TicketDetailSerializer(TicketSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "contact_email", "contact_phone", "messages"]

    def get_messages(self, case: Case) -> list[dict]:
        history = selectors.case_history(case=case, for_staff=False)
        return MessageSerializer(history, many=True).data


class TicketsApi(ScopedListApi):
    serializer_class = TicketSerializer
    ordering = ("-created_at", "-id")
    parser_classes = [JSONParser, MultiPartParser]

    class CreateSerializer(serializers.Serializer):
        kind = serializers.CharField(max_length=30)
        subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
        text = serializers.CharField(max_length=5000)
        customer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
        premises = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
        invoice = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
        place = serializers.CharField(max_length=200, required=False, allow_blank=True)
        urgency = serializers.CharField(max_length=12, required=False, allow_blank=True)
        change = serializers.DictField(
            child=serializers.CharField(max_length=254, allow_blank=True), required=False
        )
        contact_email = serializers.EmailField(required=False, allow_blank=True)
        contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        current_password = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False, max_length=256
        )
        attachments = serializers.ListField(
            child=serializers.FileField(), required=False, max_length=10
        )

    def get_queryset(self):
        _offered(self.request)
        return selectors.case_list(actor=self.request.user, focus=self.request.focus)

    @extend_schema(
        parameters=FOCUS_PARAMETERS,
        request=CreateSerializer,
        responses={201: TicketDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        _offered(request)
        data = self.CreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        draft = services.CaseDraft(
            kind=values["kind"],
            subject=values.get("subject", ""),
            text=values["text"],
            customer_id=values.get("customer"),
            premises_id=values.get("premises"),
            invoice_id=values.get("invoice"),
            place=values.get("place", ""),
            urgency=values.get("urgency", ""),
            change=values.get("change") or {},
            contact_email=values.get("contact_email", ""),
            contact_phone=values.get("contact_phone", ""),
            attachments=values.get("attachments") or [],
            current_password=values.get("current_password", ""),
        )
        case = services.case_file(actor=request.user, draft=draft, focus=focus_of(request))
        return Response(TicketDetailSerializer(case).data, status=status.HTTP_201_CREATED)


def _case(request: Request, pk: int) -> Case:
    _offered(request)
    case = selectors.case_get(actor=request.user, case_id=pk, focus=focus_of(request))
    if case is None:
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
    return case


class TicketApi(FocusMixin, APIView):
    @extend_schema(parameters=FOCUS_PARAMETERS, responses=TicketDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TicketDetailSerializer(_case(request, pk)).data)


class TicketMessagesApi(FocusMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser]

    class ReplySerializer(serializers.Serializer):
        text = serializers.CharField(max_length=5000)
        attachments = serializers.ListField(
            child=serializers.FileField(), required=False, max_length=10
        )

    @extend_schema(
        parameters=FOCUS_PARAMETERS, request=ReplySerializer, responses={201: MessageSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)  # another's or an unknown case: 404 before anything is read
        data = self.ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.case_reply(
            actor=request.user,
            case_id=case.pk,
            text=data.validated_data["text"],
            attachments=data.validated_data.get("attachments") or [],
            focus=focus_of(request),
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class TicketAttachmentApi(FocusMixin, APIView):
    @extend_schema(
        parameters=FOCUS_PARAMETERS, responses={(200, "application/octet-stream"): bytes}
    )
    def get(self, request: Request, pk: int):
        _offered(request)
        attachment = selectors.attachment_for(
            actor=request.user, attachment_id=pk, focus=focus_of(request)
        )
        if attachment is None:
            raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
        return attachment_response(attachment)


class TicketStatusApi(APIView):
    """A case's status and last answer by its reference and the e-mail or phone given in it; no
    account needed, throttled per address; a wrong pair and an unknown reference are one 404."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class LookupSerializer(serializers.Serializer):
        reference = serializers.CharField(max_length=24)
        contact = serializers.CharField(max_length=254)

    @extend_schema(
        request=LookupSerializer,
        responses=inline_serializer(
            "TicketStatus",
            fields={
                "reference": serializers.CharField(),
                "kind": serializers.CharField(),
                "status": serializers.CharField(),
                "created_at": serializers.DateTimeField(),
                "due_on": serializers.DateField(),
                "last_answer": serializers.CharField(allow_null=True),
                "last_answer_at": serializers.DateTimeField(allow_null=True),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        _offered(request)
        data = self.LookupSerializer(data=request.data)
        valid = data.is_valid()
        case = services.case_status_check(
            address=throttling.client_ip(request), **(data.validated_data if valid else {})
        )
        if not valid:
            data.is_valid(raise_exception=True)
        if case is None:
            raise ApplicationError(
                _("We found no case with this number and contact."),
                code=Code.NOT_FOUND,
                status=404,
            )
        answer = selectors.last_answer(case)
        return Response(
            {
                "reference": case.reference,
                "kind": services.kind_name(case.kind),
                "status": case.status,
                "created_at": case.created_at,
                "due_on": case.due_on,
                "last_answer": answer.body if answer else None,
                "last_answer_at": answer.created_at if answer else None,
            }
        )


class ExportCursor(Cursor):
    ordering = ("updated_at", "id")


class TicketExportApi(APIView):
    """Cases changed since a moment, for the organisation's ERP or helpdesk (the tenant's API
    key): each with its customer's ERP id and its messages to and from the customer (internal
    notes too: the integration is the organisation's own)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IntegrationOnly]

    class TicketExportSerializer(TicketSerializer):
        customer_erp_id = serializers.CharField(source="customer.erp_id")
        premises_erp_id = serializers.CharField(source="premises.erp_id", allow_null=True)
        messages = MessageSerializer(many=True, read_only=True)

        class Meta(TicketSerializer.Meta):
            fields = [
                *TicketSerializer.Meta.fields,
                "customer_erp_id",
                "premises_erp_id",
                "contact_email",
                "contact_phone",
                "assigned_to_id",
                "messages",
            ]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", str, required=False, description="ISO 8601: cases changed from then."
            )
        ],
        responses=TicketExportSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = Case.objects.select_related("customer", "premises").prefetch_related(
            "messages__attachments"
        )
        raw = request.query_params.get("since", "")
        if raw:
            since = moment_param(raw)
            rows = rows.filter(updated_at__gte=since)
        paginator = ExportCursor()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(self.TicketExportSerializer(page, many=True).data)


class AnnouncementSerializer(serializers.ModelSerializer):
    building_ids = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "target",
            "estate",
            "building_ids",
            "area_city",
            "area_streets",
            "visible_from",
            "visible_until",
            "starts_at",
            "expected_end_at",
        ]

    def get_building_ids(self, item: Announcement) -> list[int]:
        return sorted(b.pk for b in item.buildings.all())


class AnnouncementsApi(ScopedListApi):
    """What stands now for the premises the actor sees."""

    serializer_class = AnnouncementSerializer
    ordering = ("-visible_from", "-id")

    def get_queryset(self):
        config = self.request.tenant.configuration
        if not config.offers_any(Module.ANNOUNCEMENTS, Module.FAILURE_REPORTS):
            raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
        rows = selectors.announcements_for(actor=self.request.user, focus=self.request.focus)
        if not config.has_module(Module.ANNOUNCEMENTS):  # failures and works only
            rows = rows.exclude(kind=Announcement.Kind.ANNOUNCEMENT)
        return rows


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["id", "number", "name", "size", "uploaded_at"]


class DocumentSerializer(serializers.ModelSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = ["id", "title", "category", "audience", "building_id", "published_on", "versions"]


def _documents_offered(request: Request) -> None:
    if not request.tenant.configuration.has_module(Module.DOCUMENTS):
        raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)


class DocumentsApi(ScopedListApi):
    """The organisation's documents the actor may read; a version's file at
    ``/api/v1/documents/files/{version id}``."""

    serializer_class = DocumentSerializer
    ordering = ("-published_on", "-id")

    def get_queryset(self):
        _documents_offered(self.request)
        return selectors.documents_for(actor=self.request.user, focus=self.request.focus)


class DocumentFileApi(FocusMixin, APIView):
    @extend_schema(parameters=FOCUS_PARAMETERS, responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int):
        _documents_offered(request)
        version = selectors.version_for(actor=request.user, version_id=pk, focus=focus_of(request))
        if version is None:
            raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
        return uploads.file_response(
            version.path,
            content_type=version.content_type,
            filename=uploads.safe_name(
                version.document.title.replace("/", "-"), kind=uploads.FileKind.PDF
            ),
        )


class LetterSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = ["id", "subject", "body", "target", "sent_at", "is_read", "has_pdf"]

    def get_has_pdf(self, letter: Letter) -> bool:
        return bool(letter.pdf_path)


class LettersApi(ScopedListApi):
    """Letters from the organisation to the actor's customers, buildings or everyone."""

    serializer_class = LetterSerializer
    ordering = ("-sent_at", "-id")

    def get_queryset(self):
        if not self.request.tenant.configuration.has_module(Module.CORRESPONDENCE):
            raise ApplicationError(_("Not found."), code=Code.NOT_FOUND, status=404)
        return selectors.letters_for(actor=self.request.user, focus=self.request.focus)
