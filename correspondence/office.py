"""The office's cases: the inbox (queues by kind and status with counts, new and overdue first,
search, assignment), a case with its whole history and internal notes, the answer, a note, a
status change, and a data change request's acceptance."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing.models import Customer, LegalTitle
from core.collation import in_language_order
from core.errors import ApplicationError
from core.paging import keyset_page
from correspondence import selectors, services
from correspondence.changes import labelled
from correspondence.errors import CorrespondenceErrorCode as Code
from correspondence.forms import AnswerForm, NoteForm
from correspondence.labels import staff_status_label
from correspondence.models import CaseStatus
from correspondence.views import attachment_response, case_kind_names, form_on_case
from identity.permissions import staff_required, staff_with_permission
from tenants.policies import CASE_MODULES

PERMISSION = "cases.answer"


def _staff_choices() -> list[tuple[int, str]]:
    rows = staff_with_permission(PERMISSION).order_by(
        *in_language_order("last_name", "first_name"), "username"
    )
    return [(u.pk, u.get_full_name() or u.shown_login) for u in rows]


class InboxForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search: number, customer, address or subject"),
        max_length=120,
        required=False,
    )


@staff_required(PERMISSION, modules=CASE_MODULES)
def inbox(request):
    config = request.tenant.configuration
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind and config.correspondence.kind(kind) is None:
        kind = ""
    if status and status != "overdue" and status not in CaseStatus.values:
        status = ""
    mine = request.GET.get("mine") == "1"
    search = InboxForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    rows = selectors.inbox(
        selectors.InboxFilter(
            kind=kind,
            status=status,
            query=query,
            assigned_to=request.user.pk if mine else None,
        )
    )
    page = keyset_page(request, rows, 25)
    counts = selectors.inbox_counts()
    queues = [
        {
            "code": k.slug,
            "name": k.name,
            "counts": counts.get(k.slug, {}),
            "open": sum(v for s, v in counts.get(k.slug, {}).items() if s != "overdue"),
        }
        for k in config.correspondence.kinds
    ]
    totals = {
        key: sum(per_kind.get(key, 0) for per_kind in counts.values())
        for key in (*(s.value for s in selectors.OPEN_STATUSES), "overdue")
    }
    by_status = [
        {"code": s.value, "name": staff_status_label(s), "count": totals[s.value]}
        for s in selectors.OPEN_STATUSES
    ]
    return render(
        request,
        "correspondence/office/inbox.html",
        {
            "page": page,
            "queues": queues,
            "by_status": by_status,
            "open_total": sum(totals[s.value] for s in selectors.OPEN_STATUSES),
            "overdue_total": totals["overdue"],
            "kind": kind,
            "status": status,
            "mine": mine,
            "search": search,
            "statuses": [(s.value, staff_status_label(s)) for s in CaseStatus],
            "kind_names": case_kind_names(config),
            "today": timezone.localdate(),
        },
    )


@staff_required(PERMISSION, modules=CASE_MODULES)
def ratings(request):
    """How customers rated the answers: per kind, and the latest ratings with their comments."""
    config = request.tenant.configuration
    latest = (
        selectors.case_list_rated()
        .select_related("customer", "assigned_to")
        .order_by("-closed_at", "-id")[:30]
    )
    return render(
        request,
        "correspondence/office/ratings.html",
        {
            "summary": selectors.case_ratings(),
            "latest": latest,
            "kind_names": case_kind_names(config),
        },
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=gettext_lazy("Assigned to"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody")), *_staff_choices()]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Change the status to"))

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = services.STAFF_TRANSITIONS.get(current, frozenset())
        self.fields["status"].choices = [
            (s.value, staff_status_label(s)) for s in CaseStatus if s in allowed
        ]


def _case_or_404(pk: int):
    case = selectors.case_for_staff(case_id=pk)
    if case is None:
        raise Http404
    return case


@staff_required(PERMISSION, modules=CASE_MODULES)
def case_detail(request, pk: int, *, answer_form=None, note_form=None, status=200):
    case = _case_or_404(pk)
    for form in (answer_form, note_form):
        if form is not None:
            form.focus_first_error()
    return render(
        request,
        "correspondence/office/case.html",
        {
            "case": case,
            "kind_name": services.kind_name(case.kind, request.tenant.configuration),
            "history": selectors.case_history(case=case, for_staff=True),
            "staff_view": True,
            "answer_form": answer_form or AnswerForm(),
            "note_form": note_form or NoteForm(),
            "assign_form": AssignForm(initial={"assignee": case.assigned_to_id}),
            "status_form": StatusForm(current=case.status),
            "overdue": case.is_open and case.due_on < timezone.localdate(),
            "change": labelled(case.change),
        },
        status=status,
    )


def _acted(request, case, write, done: str, *, invalid: str | None = None):
    """A one-button action on a case: its error or ``done`` said above the case's page."""
    try:
        if invalid is not None:
            raise ApplicationError(invalid, code=Code.INVALID)
        write()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("correspondence_office_case", pk=case.pk)


@require_POST
@staff_required(PERMISSION, modules=CASE_MODULES)
def case_answer(request, pk: int):
    case = _case_or_404(pk)
    return form_on_case(
        request,
        case.pk,
        form=AnswerForm(request.POST, request.FILES),
        slot="answer_form",
        page=case_detail,
        write=lambda data: services.case_answer(
            actor=request.user,
            case_id=case.pk,
            text=data["text"],
            status=data["status"],
            attachments=data.get("attachments") or [],
        ),
        done=_("The answer has been sent to the customer."),
        url_name="correspondence_office_case",
    )


@require_POST
@staff_required(PERMISSION, modules=CASE_MODULES)
def case_note(request, pk: int):
    case = _case_or_404(pk)
    return form_on_case(
        request,
        case.pk,
        form=NoteForm(request.POST, request.FILES),
        slot="note_form",
        page=case_detail,
        write=lambda data: services.case_note_add(
            actor=request.user,
            case_id=case.pk,
            text=data["text"],
            attachments=data.get("attachments") or [],
        ),
        done=_("The note has been saved."),
        url_name="correspondence_office_case",
    )


@require_POST
@staff_required(PERMISSION, modules=CASE_MODULES)
def case_status(request, pk: int):
    case = _case_or_404(pk)
    form = StatusForm(request.POST, current=case.status)
    valid = form.is_valid()
    return _acted(
        request,
        case,
        lambda: services.case_status_set(
            actor=request.user, case_id=case.pk, status=form.cleaned_data["status"]
        ),
        _("The status has been changed."),
        invalid=None if valid else _("Choose one of the statuses listed."),
    )


@require_POST
@staff_required(PERMISSION, modules=CASE_MODULES)
def case_assign(request, pk: int):
    case = _case_or_404(pk)
    form = AssignForm(request.POST)
    valid = form.is_valid()
    return _acted(
        request,
        case,
        lambda: services.case_assign(
            actor=request.user, case_id=case.pk, assignee_id=form.cleaned_data["assignee"]
        ),
        _("The case has been assigned."),
        invalid=None if valid else _("Choose a member of staff."),
    )


@require_POST
@staff_required(PERMISSION, modules=CASE_MODULES)
def case_change_accept(request, pk: int):
    case = _case_or_404(pk)
    return _acted(
        request,
        case,
        lambda: services.case_change_accept(actor=request.user, case_id=case.pk),
        _("The customer's data have been changed."),
    )


@staff_required(PERMISSION, modules=CASE_MODULES)
def case_attachment(request, pk: int):
    attachment = selectors.attachment_for(actor=request.user, attachment_id=pk, for_staff=True)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


class OnBehalfForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of case"))
    premises = forms.TypedChoiceField(
        label=gettext_lazy("Premises concerned (optional)"), coerce=int, required=False
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    text = forms.CharField(
        label=gettext_lazy("What the customer asks, in the clerk's words"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, kinds, premises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["premises"].choices = [("", "—"), *premises]


@staff_required(PERMISSION, modules=CASE_MODULES)
def case_new(request, customer_id: int):
    """The office files a case for a customer (from the customer's card)."""
    customer = get_object_or_404(Customer, pk=customer_id)
    config = request.tenant.configuration
    kinds = [
        (k.slug, str(k.name)) for k in services.offered_kinds(config) if "change" not in k.fields
    ]
    premises = [
        (t.premises_id, str(t.premises))
        for t in LegalTitle.objects.filter(customer=customer).select_related("premises")
    ]
    form = OnBehalfForm(
        request.POST or None,
        kinds=kinds,
        premises=premises,
        initial={"premises": premises[0][0]} if len(premises) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_file_for_customer(
                actor=request.user,
                customer_id=customer.pk,
                draft=services.CaseDraft(
                    kind=data["kind"],
                    subject=data["subject"],
                    text=data["text"],
                    premises_id=data["premises"] or None,
                ),
            )
        except ApplicationError as exc:
            for field, problems in exc.extra.get("fields", {}).items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, str(problem))
            if not form.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The case %(reference)s is filed.") % {"reference": case.reference}
            )
            return redirect("correspondence_office_case", pk=case.pk)
    return render(
        request,
        "correspondence/office/case_new.html",
        {"customer": customer, "form": form},
        status=400 if form.errors else 200,
    )
