"""The office publishes: announcements, planned works and failures (with a period and a target),
the organisation's documents (with an audience and versions), and letters to customers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from billing.models import Building, Customer
from core.errors import ApplicationError, invalid_fields
from core.paging import keyset_page
from correspondence import selectors, services
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.forms import FocusErrors
from correspondence.models import Announcement, Document, Letter
from correspondence.publications import OUTAGE_MODULES
from identity.permissions import staff_required
from identity.views import add_form_errors
from tenants.policies import Module

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _published(request, form, *, page, write, done: str, url_name: str):
    """A publishing form posted: written, back to its page with ``done`` said; invalid or
    refused, the page again with the form's errors (400)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(url_name)
    return page(request, form, status=400)


def _buildings() -> list[tuple[int, str]]:
    return [(b.pk, str(b)) for b in Building.objects.order_by("city", "street", "building_no")]


class AnnouncementForm(FocusErrors, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=Announcement.Kind.choices,
        widget=forms.RadioSelect,
        initial=Announcement.Kind.ANNOUNCEMENT,
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    target = forms.ChoiceField(
        label=gettext_lazy("For whom"),
        choices=Announcement.Target.choices,
        widget=forms.RadioSelect,
        initial=Announcement.Target.EVERYONE,
    )
    estate = forms.ChoiceField(label=gettext_lazy("Estate"), required=False)
    buildings = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Buildings"), coerce=int, required=False
    )
    area_city = forms.CharField(label=gettext_lazy("Area: town"), max_length=80, required=False)
    area_streets = forms.CharField(
        label=gettext_lazy("Area: streets (one a line; none: the whole town)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visible_from = forms.DateTimeField(
        label=gettext_lazy("Shown from"), required=False, widget=DATETIME
    )
    visible_until = forms.DateTimeField(
        label=gettext_lazy("Shown until (empty: until withdrawn)"), required=False, widget=DATETIME
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Works or failure: from"), required=False, widget=DATETIME
    )
    expected_end_at = forms.DateTimeField(
        label=gettext_lazy("Works or failure: expected end"), required=False, widget=DATETIME
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        estates = (
            Building.objects.exclude(estate="").order_by("estate").values_list("estate", flat=True)
        ).distinct()
        self.fields["estate"].choices = [("", "—"), *((e, e) for e in sorted(estates))]
        self.fields["buildings"].choices = _buildings()

    def draft(self) -> services.AnnouncementDraft:
        data = self.cleaned_data
        return services.AnnouncementDraft(
            title=data["title"],
            body=data["body"],
            kind=data["kind"],
            target=data["target"],
            estate=data.get("estate") or "",
            building_ids=data.get("buildings") or [],
            area_city=data.get("area_city") or "",
            area_streets=(data.get("area_streets") or "").splitlines(),
            visible_from=data.get("visible_from"),
            visible_until=data.get("visible_until"),
            starts_at=data.get("starts_at"),
            expected_end_at=data.get("expected_end_at"),
        )


def _announcements_page(request, form, *, editing=None, status=200):
    form.focus_first_error()
    rows = selectors.announcements_office()
    return render(
        request,
        "correspondence/office/announcements.html",
        {
            "form": form,
            "editing": editing,
            "page": keyset_page(request, rows, 25),
            "standing": set(selectors.standing().values_list("pk", flat=True)),
        },
        status=status,
    )


@staff_required("announcements.publish", modules=OUTAGE_MODULES)
def announcements(request):
    if request.method != "POST":
        return _announcements_page(request, AnnouncementForm())
    form = AnnouncementForm(request.POST)
    return _published(
        request,
        form,
        page=_announcements_page,
        write=lambda _data: services.announcement_publish(actor=request.user, draft=form.draft()),
        done=_("The announcement has been published."),
        url_name="correspondence_office_announcements",
    )


def _announcement_or_404(pk: int) -> Announcement:
    found = Announcement.objects.filter(pk=pk, withdrawn_at__isnull=True).first()
    if found is None:
        raise Http404
    return found


@staff_required("announcements.publish", modules=OUTAGE_MODULES)
def announcement_edit(request, pk: int):
    found = _announcement_or_404(pk)
    if request.method != "POST":
        initial = {
            "kind": found.kind,
            "title": found.title,
            "body": found.body,
            "target": found.target,
            "estate": found.estate,
            "buildings": list(found.buildings.values_list("pk", flat=True)),
            "area_city": found.area_city,
            "area_streets": "\n".join(found.area_streets),
            "visible_from": found.visible_from,
            "visible_until": found.visible_until,
            "starts_at": found.starts_at,
            "expected_end_at": found.expected_end_at,
        }
        return _announcements_page(request, AnnouncementForm(initial=initial), editing=found)
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            services.announcement_update(
                actor=request.user, announcement_id=found.pk, draft=form.draft()
            )
        except ApplicationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The announcement has been changed."))
            return redirect("correspondence_office_announcements")
    return _announcements_page(request, form, editing=found, status=400)


@require_POST
@staff_required("announcements.publish", modules=OUTAGE_MODULES)
def announcement_withdraw(request, pk: int):
    found = _announcement_or_404(pk)
    services.announcement_withdraw(actor=request.user, announcement_id=found.pk)
    messages.success(request, _("The announcement has been withdrawn."))
    return redirect("correspondence_office_announcements")


@staff_required("announcements.publish", modules=OUTAGE_MODULES)
@require_http_methods(["GET", "POST"])
def announcement_notify(request, pk: int):
    """The residents told by their channels: first how many and how it reads, then on
    confirmation (once: a second confirmation sends nothing more)."""
    found = _announcement_or_404(pk)
    if request.method == "POST":
        written = services.announcement_notify(actor=request.user, announcement_id=found.pk)
        if written:
            messages.success(
                request,
                ngettext(
                    "%(n)d message is on its way.", "%(n)d messages are on their way.", written
                )
                % {"n": written},
            )
        else:
            messages.info(request, _("Nothing more to send: the residents were told before."))
        return redirect("correspondence_office_announcements")
    return render(
        request,
        "correspondence/office/announcement_notify.html",
        services.announcement_notice_preview(announcement_id=found.pk),
    )


# Documents.


class DocumentForm(FocusErrors, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Document.Category.choices)
    audience = forms.ChoiceField(
        label=gettext_lazy("Who may read it"),
        choices=Document.Audience.choices,
        widget=forms.RadioSelect,
    )
    building = forms.TypedChoiceField(
        label=gettext_lazy("Building (for one building's documents)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    file = forms.FileField(
        label=gettext_lazy("File (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", "—"), *_buildings()]


class VersionForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("New version (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


def _documents_page(request, form, status=200):
    form.focus_first_error()
    return render(
        request,
        "correspondence/office/documents.html",
        {
            "form": form,
            "documents": selectors.documents_office().filter(withdrawn_at__isnull=True)[:200],
            "version_form": VersionForm(),
        },
        status=status,
    )


@staff_required("library.manage", modules=(Module.DOCUMENTS,))
def documents(request):
    if request.method != "POST":
        return _documents_page(request, DocumentForm())
    return _published(
        request,
        DocumentForm(request.POST, request.FILES),
        page=_documents_page,
        write=lambda data: services.document_publish(
            actor=request.user,
            title=data["title"],
            category=data["category"],
            audience=data["audience"],
            building_id=data.get("building"),
            file=data["file"],
        ),
        done=_("The document has been published."),
        url_name="correspondence_office_documents",
    )


@require_POST
@staff_required("library.manage", modules=(Module.DOCUMENTS,))
def document_version(request, pk: int):
    form = VersionForm(request.POST, request.FILES)
    try:
        services.document_version_add(
            actor=request.user,
            document_id=pk,
            file=form.files.get("file"),
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The new version has been published."))
    return redirect("correspondence_office_documents")


@require_POST
@staff_required("library.manage", modules=(Module.DOCUMENTS,))
def document_withdraw(request, pk: int):
    try:
        services.document_withdraw(actor=request.user, document_id=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    messages.success(request, _("The document has been withdrawn."))
    return redirect("correspondence_office_documents")


# Letters.


class LetterForm(FocusErrors, forms.Form):
    target = forms.ChoiceField(
        label=gettext_lazy("To whom"),
        choices=Letter.Target.choices,
        widget=forms.RadioSelect,
        initial=Letter.Target.CUSTOMER,
    )
    customer = forms.CharField(
        label=gettext_lazy("Customer symbol (for one customer)"), max_length=32, required=False
    )
    building = forms.TypedChoiceField(
        label=gettext_lazy("Building (for a building's customers)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    pdf = forms.FileField(
        label=gettext_lazy("The letter as PDF (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", "—"), *_buildings()]


def _letters_page(request, form, status=200):
    form.focus_first_error()
    return render(
        request,
        "correspondence/office/letters.html",
        {
            "form": form,
            "page": keyset_page(request, selectors.letters_office(), 25),
        },
        status=status,
    )


@staff_required("letters.send", modules=(Module.CORRESPONDENCE,))
def letters(request):
    if request.method != "POST":
        return _letters_page(request, LetterForm())

    def send(data):
        symbol = (data.get("customer") or "").strip()
        customer = Customer.objects.filter(symbol=symbol).first() if symbol else None
        if symbol and customer is None and data["target"] == Letter.Target.CUSTOMER:
            raise invalid_fields({"customer": _("No customer has this symbol.")}, code=Code.INVALID)
        services.letter_send(
            actor=request.user,
            subject=data["subject"],
            body=data["body"],
            target=data["target"],
            customer_id=customer.pk if customer else None,
            building_id=data.get("building"),
            pdf=data.get("pdf"),
        )

    return _published(
        request,
        LetterForm(request.POST, request.FILES),
        page=_letters_page,
        write=send,
        done=_("The letter has been sent."),
        url_name="correspondence_office_letters",
    )
