"""Back-office pages of identity: locked accounts, the authentication audit log, documents."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import personal_data, portal
from core.access import PORTAL_ROLES
from core.errors import ApplicationError
from core.http import base_url
from core.paging import keyset_page
from identity import selectors, services
from identity.audit_labels import detail_lines
from identity.forms import ErasureRecordForm
from identity.models import (
    AuthEvent,
    Document,
    ErasureRequest,
    RegistrationRequest,
    RetentionRun,
    StaffAccess,
    User,
)
from identity.permissions import has_permission, staff_required
from identity.registration.services import credentials_resend
from identity.views import add_form_errors, request_info


def _back(request, default: str):
    """Back to the page the form was on (the customer's card), if it is this site's office."""
    target = request.POST.get("next", "")
    if target.startswith("/office/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}
    ):
        return redirect(target)
    return redirect(default)


@staff_required()
def office_home(request):
    context = {
        "locked_count": len(services.locked_users()),
        "can_unlock": has_permission(request.user, "accounts.unlock"),
        "can_block": has_permission(request.user, "accounts.block"),
        "can_audit": has_permission(request.user, "audit.view"),
        "can_documents": has_permission(request.user, "documents.manage"),
        "can_import": has_permission(request.user, "import.run"),
        "can_configure": has_permission(request.user, "tenant.configure"),
        "can_manage_staff": has_permission(request.user, "staff.manage"),
        "can_review": has_permission(request.user, "registrations.review"),
        "registrations_waiting": RegistrationRequest.objects.filter(
            status="awaiting_review"
        ).count(),
        # What the apps above add (core.portal.register_office_entry), as far as this member
        # of staff may open it.
        "entries": [
            {"url_name": e.url_name, "title": e.title, "count": e.count() if e.count else None}
            for e in portal.office_entries()
            if has_permission(request.user, e.permission)
            and e.offered(request.tenant.configuration)
        ],
    }
    return render(request, "identity/office/home.html", context)


@staff_required("accounts.unlock")
def locked_accounts(request):
    return render(request, "identity/office/locked.html", {"users": services.locked_users()})


@require_POST
@staff_required("accounts.unlock")
def account_unlock(request, pk: int):
    # Customer service unlocks customers and managers; a tenant admin unlocks staff too.
    roles = list(PORTAL_ROLES)
    if request.user.is_tenant_admin:
        roles += sorted(User.STAFF_ROLES)
    user = get_object_or_404(User.objects.exclude(pk=request.user.pk), pk=pk, role__in=roles)
    if services.account_unlock(user=user, actor=request.user, info=request_info(request)):
        messages.success(
            request, _("The account %(login)s is unlocked.") % {"login": user.get_username()}
        )
    return _back(request, reverse("office_locked"))


@staff_required("accounts.block")
def accounts(request):
    """Find a customer's or manager's account and block or unblock it. Showing the results is
    recorded as staff access to their contact data."""
    query = request.GET.get("q", "")
    found = selectors.accounts_search(query)
    if found:
        services.staff_access_record(
            actor=request.user,
            users=found,
            field_group=StaffAccess.FieldGroup.CONTACT,
            purpose=StaffAccess.Purpose.ACCOUNT_SEARCH,
        )
    return render(request, "identity/office/accounts.html", {"query": query, "found": found})


def _blockable(request, pk: int) -> User:
    return get_object_or_404(
        User.objects.exclude(pk=request.user.pk), pk=pk, role__in=services.BLOCKABLE_ROLES
    )


@require_POST
@staff_required("accounts.block")
def account_block(request, pk: int):
    user = _blockable(request, pk)
    try:
        services.account_block(
            user=user,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            info=request_info(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The account %(login)s is blocked.") % {"login": user.get_username()}
        )
    return _back(request, f"{reverse('office_accounts')}?q={user.get_username()}")


@require_POST
@staff_required("accounts.block")
def account_unblock(request, pk: int):
    user = _blockable(request, pk)
    services.account_unblock(user=user, actor=request.user, info=request_info(request))
    messages.success(
        request, _("The account %(login)s is unblocked.") % {"login": user.get_username()}
    )
    return _back(request, f"{reverse('office_accounts')}?q={user.get_username()}")


class AuditFilter(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Event"),
        required=False,
        choices=[("", gettext_lazy("All"))] + list(AuthEvent.Kind.choices),
    )
    who = forms.CharField(
        label=gettext_lazy("Login of the account or of the employee"),
        required=False,
        max_length=100,
    )
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@staff_required("audit.view")
def audit_log(request):
    """The login and security log: filtered by event, account or employee, and dates; paged;
    exported as CSV (``?format=csv``) with the same filters and readable labels."""
    form = AuditFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read shows nothing (never "everything"), and exports nothing.
        return render(
            request,
            "identity/office/audit.html",
            {"form": form, "page": None, "events": [], "query": ""},
            status=400,
        )
    data = form.cleaned_data if form.is_bound else {}
    rows = selectors.auth_events_filtered(
        kind=data.get("kind") or "",
        who=data.get("who") or "",
        since=data.get("since"),
        until=data.get("until"),
    )
    if request.GET.get("format") == "csv":
        services.audit(
            AuthEvent.Kind.AUDIT_EXPORTED,
            login=request.user.get_username(),
            info=request_info(request),
            actor=request.user.get_username(),
            filters={
                k: str(v)[:100] for k, v in data.items() if v not in (None, "") and k != "format"
            },
        )
        return _audit_csv(rows)
    page = keyset_page(request, rows, 100)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "identity/office/audit.html",
        {"form": form, "page": page, "events": page.object_list, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


def _cell(value: str) -> str:
    """A spreadsheet never runs a cell as a formula (a login typed at the login page could)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _audit_csv(rows) -> StreamingHttpResponse:
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo(), delimiter=";")

    def lines():
        yield "\ufeff"
        yield writer.writerow([_("Time"), _("Event"), _("Login"), _("IP"), _("Details")])
        for event in rows.iterator(chunk_size=2000):
            details = "; ".join(f"{k}: {v}" for k, v in detail_lines(event.details))
            yield writer.writerow(
                [
                    timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    str(event.get_kind_display()),
                    _cell(event.login),
                    event.ip or "",
                    _cell(details),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=Document.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    title_en = forms.CharField(
        label=gettext_lazy("Title in English (optional)"), max_length=200, required=False
    )
    title_uk = forms.CharField(
        label=gettext_lazy("Title in Ukrainian (optional)"), max_length=200, required=False
    )
    body = forms.CharField(
        label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    pdf = forms.FileField(label=gettext_lazy("PDF (optional)"), required=False)

    def clean_pdf(self):
        pdf = self.cleaned_data.get("pdf")
        if pdf is None:
            return None
        if pdf.size > 10 * 1024 * 1024 or not pdf.read(5).startswith(b"%PDF-"):
            raise forms.ValidationError(gettext_lazy("Please upload a PDF file of at most 10 MB."))
        pdf.seek(0)
        return pdf

    def clean(self):
        data = super().clean()
        if not data.get("body") and not data.get("pdf"):
            raise forms.ValidationError(gettext_lazy("Give the text, a PDF, or both."))
        return data


@staff_required("documents.manage")
def documents(request):
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        titles = {"en": data.pop("title_en"), "uk": data.pop("title_uk")}
        doc = services.document_publish(**data, titles=titles)
        messages.success(
            request,
            _("Version %(version)s is published; users accept it at their next login.")
            % {"version": doc.version},
        )
        return redirect("office_documents")
    return render(
        request,
        "identity/office/documents.html",
        {"form": form, "documents": Document.objects.all()},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required("accounts.create")
def account_credentials_resend(request, pk: int):
    user = get_object_or_404(User, pk=pk, role__in=list(PORTAL_ROLES))
    try:
        credentials_resend(user=user, actor=request.user, base_url=base_url(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The first credentials are sent again to %(email)s.") % {"email": user.email},
        )
    return _back(request, reverse("office_accounts"))


@staff_required("privacy.records")
def privacy_records(request):
    """The record of processing activities (art. 30(1) GDPR), made from what every app declares
    it holds: the controller, then one entry per purpose. ``?format=csv`` gives the same as a
    spreadsheet for the data-protection officer."""
    activities = personal_data.processing_activities()
    controller = request.tenant.configuration.payee
    retention = RetentionRun.objects.first()
    titles = {h.label: h.title for h in personal_data.holdings()}
    retention_lines = [
        (titles.get(label) or label, entry["deleted"], entry.get("blocked", 0))
        for label, entry in (retention.report.items() if retention else ())
        if entry["deleted"] or entry.get("blocked")
    ]
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(
            [
                _("Purpose"),
                _("Records"),
                _("Data subjects"),
                _("Categories of data"),
                _("Legal basis"),
                _("Kept"),
                _("Recipients"),
            ]
        )
        for a in activities:
            writer.writerow(
                [
                    _cell(a["purpose"]),
                    *(
                        _cell("; ".join(a[key]))
                        for key in (
                            "records",
                            "subjects",
                            "categories",
                            "bases",
                            "retention",
                            "recipients",
                        )
                    ),
                ]
            )
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="rejestr-czynnosci.csv"'
        return response
    return render(
        request,
        "identity/office/privacy_records.html",
        {
            "activities": activities,
            "controller": controller,
            "organisation": request.tenant.name,
            "made_at": timezone.localtime(),
            "retention": retention,
            "retention_lines": retention_lines,
        },
    )


@staff_required("privacy.erasure")
def erasure_queue(request):
    """Requests to erase data, the nearest deadline first, with the form that records one
    received at the office; those carried out below with what was done."""
    form = ErasureRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        found = selectors.users_for_login(form.cleaned_data["login"])
        person = found[0] if len(found) == 1 and found[0].role in PORTAL_ROLES else None
        if person is None:
            form.add_error("login", _("No customer has this login."))
        else:
            try:
                services.erasure_record(
                    user=person, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The request is recorded."))
                return redirect("office_erasure_queue")
    waiting = ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING).select_related(
        "user"
    )
    done = ErasureRequest.objects.filter(status=ErasureRequest.Status.DONE).order_by("-done_at")[
        :20
    ]
    return render(
        request,
        "identity/office/erasure_queue.html",
        {
            "form": form,
            "waiting": waiting,
            "done": done,
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required("privacy.erasure")
def erasure_carry_out(request, pk: int):
    try:
        services.erasure_carry_out(request_id=pk, actor=request.user)
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The data are erased; what the law keeps is listed below."))
    return redirect("office_erasure_queue")
