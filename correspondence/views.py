"""The customer's cases: the list with the kinds the tenant offers, filing one, a case with its
history both ways (reply, close, reopen, rate), an attachment's download, and the public page
where a reference and the contact given in it show a case's status without an account."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import selectors as billing_selectors
from billing.views import portal_page, request_focus
from core import throttling, uploads
from core.errors import ApplicationError, Throttled
from core.paging import keyset_page
from correspondence import selectors, services
from correspondence.changes import labelled
from correspondence.forms import CaseForm, RateForm, ReplyForm, StatusLookupForm
from correspondence.models import CaseStatus
from identity.views import add_form_errors
from tenants.policies import CASE_MODULES


def case_kind_names(config) -> dict[str, str]:
    return {k.slug: str(k.name) for k in config.correspondence.kinds}


@portal_page(*CASE_MODULES)
def cases(request):
    config = request.tenant.configuration
    rows = selectors.case_list(actor=request.user, focus=request_focus(request)).select_related(
        "premises"
    )
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        rows = rows.filter(status=status)
    page = keyset_page(request, rows, 20)
    return render(
        request,
        "correspondence/cases.html",
        {
            "page": page,
            "kinds": services.offered_kinds(config),
            "kind_names": case_kind_names(config),
            "today": timezone.localdate(),
            "status": CaseStatus(status) if status in CaseStatus.values else None,
        },
    )


def _case_form(request, kind, data=None, files=None) -> CaseForm:
    actor, focus = request.user, request_focus(request)
    customers = [
        (c.pk, f"{c.name} ({c.symbol})")
        for c in billing_selectors.customer_list(actor=actor, focus=focus)[:200]
    ]
    premises = [
        (p.pk, str(p)) for p in billing_selectors.premises_list(actor=actor, focus=focus)[:200]
    ]
    invoices = [
        (i.pk, f"{i.number} ({i.issue_date:%d.%m.%Y})")
        for i in billing_selectors.invoice_list(actor=actor, focus=focus).order_by(
            "-issue_date", "-id"
        )[:36]
    ]
    user = request.user
    initial = {"contact_email": user.email, "contact_phone": getattr(user, "phone", "")}
    return CaseForm(
        data,
        files,
        kind=kind,
        customers=customers,
        premises=premises,
        invoices=invoices,
        initial=initial,
    )


def _on_form_fields(exc: ApplicationError) -> ApplicationError:
    """The service names a change's fields ``change.email``; the form ``change_email``."""
    fields = exc.extra.get("fields") or {}
    if any(name.startswith("change.") for name in fields):
        exc.extra["fields"] = {name.replace("change.", "change_"): v for name, v in fields.items()}
    return exc


def _kind_or_404(request, code: str):
    kind = next(
        (k for k in services.offered_kinds(request.tenant.configuration) if k.slug == code), None
    )
    if kind is None:
        raise Http404
    return kind


@portal_page(*CASE_MODULES)
def case_new(request, kind: str):
    case_kind = _kind_or_404(request, kind)
    status = 200
    if request.method == "POST":
        form = _case_form(request, case_kind, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            draft = services.CaseDraft(
                kind=case_kind.slug,
                subject=data.get("subject", ""),
                text=data["text"],
                customer_id=data.get("customer") or None,
                premises_id=data.get("premises") or None,
                invoice_id=data.get("invoice") or None,
                place=data.get("place", ""),
                urgency=data.get("urgency", ""),
                change=form.change(),
                contact_email=data.get("contact_email", ""),
                contact_phone=data.get("contact_phone", ""),
                attachments=data.get("attachments") or [],
                current_password=data.get("current_password", ""),
            )
            try:
                case = services.case_file(
                    actor=request.user, draft=draft, focus=request_focus(request)
                )
            except Throttled:
                form.add_error(
                    None,
                    _("You have filed as many cases today as one may. Write again tomorrow."),
                )
                status = 429
            except ApplicationError as exc:
                add_form_errors(form, _on_form_fields(exc))
                status = exc.status if exc.status in (400, 403, 409, 429) else 400
            else:
                messages.success(
                    request,
                    _("Your case %(reference)s has been filed. We will answer by %(day)s.")
                    % {
                        "reference": case.reference,
                        "day": formats.date_format(case.due_on, "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect("correspondence_case", pk=case.pk)
        else:
            status = 400
        form.focus_first_error()
    else:
        form = _case_form(request, case_kind)
    return render(
        request,
        "correspondence/case_new.html",
        {"form": form, "kind": case_kind},
        status=status,
    )


def _case_or_404(request, pk: int):
    case = selectors.case_get(actor=request.user, case_id=pk, focus=request_focus(request))
    if case is None:
        raise Http404
    return case


@portal_page(*CASE_MODULES)
def case_detail(request, pk: int, *, reply_form=None, rate_form=None, status=200):
    case = _case_or_404(request, pk)
    config = request.tenant.configuration
    reopen_days = config.correspondence.reopen_days
    may_reopen = (
        case.status == CaseStatus.CLOSED
        and case.closed_at is not None
        and (timezone.now() - case.closed_at).days < reopen_days
    )
    if reply_form is not None:
        reply_form.focus_first_error()
    if rate_form is not None:
        rate_form.focus_first_error()
    return render(
        request,
        "correspondence/case.html",
        {
            "case": case,
            "kind_name": services.kind_name(case.kind, config),
            "history": selectors.case_history(case=case, for_staff=False),
            "reply_form": reply_form or ReplyForm(),
            "rate_form": rate_form or RateForm(),
            "may_reopen": may_reopen,
            "overdue": case.is_open and case.due_on < timezone.localdate(),
            "change": labelled(case.change),
        },
        status=status,
    )


def form_on_case(request, pk: int, *, form, slot: str, page, write, done: str, url_name: str):
    """A form posted on a case's page (the customer's or the office's): invalid or refused,
    ``page`` again with the form's errors in ``slot``; written, back to the case with ``done``
    said."""
    if not form.is_valid():
        return page(request, pk, status=400, **{slot: form})
    try:
        write(form.cleaned_data)
    except ApplicationError as exc:
        add_form_errors(form, exc)
        return page(request, pk, status=exc.status, **{slot: form})
    messages.success(request, done)
    return redirect(url_name, pk=pk)


@require_POST
@portal_page(*CASE_MODULES)
def case_reply(request, pk: int):
    case = _case_or_404(request, pk)
    return form_on_case(
        request,
        case.pk,
        form=ReplyForm(request.POST, request.FILES),
        slot="reply_form",
        page=case_detail,
        write=lambda data: services.case_reply(
            actor=request.user,
            case_id=case.pk,
            text=data["text"],
            attachments=data.get("attachments") or [],
            focus=request_focus(request),
        ),
        done=_("Your message has been sent."),
        url_name="correspondence_case",
    )


def _act(request, pk: int, action, done: str):
    case = _case_or_404(request, pk)
    try:
        action(actor=request.user, case_id=case.pk, focus=request_focus(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("correspondence_case", pk=case.pk)


@require_POST
@portal_page(*CASE_MODULES)
def case_close(request, pk: int):
    return _act(request, pk, services.case_close, _("The case is closed."))


@require_POST
@portal_page(*CASE_MODULES)
def case_reopen(request, pk: int):
    return _act(request, pk, services.case_reopen, _("The case is open again."))


@require_POST
@portal_page(*CASE_MODULES)
def case_rate(request, pk: int):
    case = _case_or_404(request, pk)
    return form_on_case(
        request,
        case.pk,
        form=RateForm(request.POST),
        slot="rate_form",
        page=case_detail,
        write=lambda data: services.case_rate(
            actor=request.user,
            case_id=case.pk,
            rating=data["rating"],
            comment=data["comment"],
            focus=request_focus(request),
        ),
        done=_("Thank you for your rating."),
        url_name="correspondence_case",
    )


def attachment_response(attachment):
    return uploads.file_response(
        attachment.path, content_type=attachment.content_type, filename=attachment.name
    )


@portal_page(*CASE_MODULES)
def case_attachment(request, pk: int):
    attachment = selectors.attachment_for(
        actor=request.user, attachment_id=pk, focus=request_focus(request)
    )
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


def status_lookup(request):
    """A case's status and last answer for whoever has its reference and the contact given in
    it; a wrong pair and an unknown reference get the same answer. Throttled per address."""
    config = request.tenant.configuration
    if not config.offers_any(*CASE_MODULES):
        raise Http404
    found, status = None, 200
    form = StatusLookupForm(request.POST or None)
    if request.method == "POST":
        valid = form.is_valid()
        try:
            case = services.case_status_check(
                address=throttling.client_ip(request),
                **({k: form.cleaned_data[k] for k in ("reference", "contact")} if valid else {}),
            )
        except Throttled:
            form.add_error(None, _("Too many wrong attempts. Try again in a quarter of an hour."))
            status = 429
        else:
            if valid:
                if case is None:
                    form.add_error(
                        None,
                        _(
                            "We found no case with this number and contact. Check both and "
                            "try again."
                        ),
                    )
                    status = 404
                else:
                    found = {
                        "case": case,
                        "kind_name": services.kind_name(case.kind, config),
                        "answer": selectors.last_answer(case),
                    }
            else:
                status = 400
        form.focus_first_error()
    return render(
        request, "correspondence/status.html", {"form": form, "found": found}, status=status
    )
