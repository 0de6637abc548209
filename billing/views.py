"""The customer's pages: dashboard, charges, invoices, payments, settlements, balance
confirmation, premises and contracts, e-invoice, membership, debt collection. Every read goes
through billing.selectors with the acting user."""

from __future__ import annotations

from functools import wraps

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import selectors, services, shown
from billing.models import BalanceConfirmation, Contribution
from billing.pdf import balance_pdf
from core import portal
from core.access import PORTAL_ROLES, has_role, page_access
from core.errors import ApplicationError
from core.paging import keyset_page
from identity.views import add_form_errors, request_info

FOCUS_KEY = "billing_focus"


def portal_page(*modules: str):
    """A page of the customer portal (of any other app too): logged in as a customer (or
    manager), and the tenant has one of ``modules`` switched on (any page, without them)."""

    def decorator(view):
        @page_access(lambda user: has_role(user, *PORTAL_ROLES))
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if modules and not request.tenant.configuration.offers_any(*modules):
                raise PermissionDenied
            request.portal_modules = modules  # the menu marks the page's own module as current
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def request_focus(request) -> selectors.Focus | None:
    """A manager's chosen customer or building (the switcher), passed to every selector."""
    return request.session.get(FOCUS_KEY)


def _page(request, queryset, per_page: int = 25):
    return keyset_page(request, queryset, per_page)


def _chart(months: list[dict]) -> dict:
    """Monthly charges (oldest first) as bars of an inline SVG; the same rows feed the table."""
    rows = list(reversed(months[:12]))
    top = max((float(m["charged"]) for m in rows), default=0) or 1
    width, height, gap, label_band = 28, 120, 8, 18  # month labels sit in a band below the bars
    bars = [
        {
            "x": i * (width + gap) + gap // 2,
            "height": round(max(float(m["charged"]), 0) / top * height, 1),
            "y": round(height - max(float(m["charged"]), 0) / top * height, 1),
            "width": width,
            "label_x": i * (width + gap) + gap // 2 + width // 2,
            "label": m["period"],
            "value": m["charged"],
        }
        for i, m in enumerate(rows)
    ]
    return {
        "bars": bars,
        "rows": rows,
        "width": max(1, len(rows)) * (width + gap),
        "height": height,
        "full_height": height + label_band,
        "label_y": height + label_band - 4,
    }


@portal_page()
def dashboard(request):
    actor, focus = request.user, request_focus(request)
    total = selectors.balance(actor=actor, focus=focus)
    today = timezone.localdate()
    invoices = selectors.invoices_overview(actor=actor, focus=focus, today=today)
    offers = request.tenant.configuration.has_module
    context = {
        "total": total,
        "next_due": invoices.next_due,
        "overdue_count": invoices.overdue_count,
        # Overdue invoices are listed where the tenant lists them (no link where it offers
        # neither page); a balance to confirm only where the tenant asks for confirmations.
        "overdue_url": next(
            (portal.module_url(m, request) for m in ("invoices", "debt_collection") if offers(m)),
            None,
        ),
        "pending_confirmations": selectors.balance_confirmation_list(actor=actor, focus=focus)
        .filter(status=BalanceConfirmation.Status.PENDING)
        .count()
        if offers("balance_confirmation")
        else 0,
        "recent_invoices": invoices.recent,
        "recent_payments": selectors.payment_list(actor=actor, focus=focus)[:3],
        "chart": _chart(selectors.balance_by_month(actor=actor, focus=focus, months=12)),
        "customers": selectors.customer_list(actor=actor, focus=focus)[:5],
        # What other apps ask the customer to do or warn about (core.portal.register_notices).
        "notices": portal.notices(request.tenant.configuration, actor, focus),
        "pay_url": _pay_url(request),
    }
    return render(request, "billing/dashboard.html", context)


def _pay_url(request) -> str | None:
    """Where to pay online, where the tenant takes online payments now (an app above offers
    the page; none: nothing is linked)."""
    if not request.tenant.configuration.has_module("online_payments"):
        return None
    return portal.module_url("online_payments", request)


@portal_page("charges")
def charges(request):
    rows = selectors.charge_list(actor=request.user, focus=request_focus(request))
    months = selectors.balance_by_month(actor=request.user, focus=request_focus(request), months=24)
    return render(
        request, "billing/charges.html", {"page": _page(request, rows, 50), "months": months}
    )


@portal_page("invoices")
def invoices(request):
    page = _page(request, selectors.invoice_list(actor=request.user, focus=request_focus(request)))
    return render(
        request,
        "billing/invoices.html",
        {
            "page": page,
            "pay_url": _pay_url(request),
            # Paid online, waiting for the ERP's booking: not "to pay" again.
            "paid_online": selectors.paid_online([i.pk for i in page.object_list if not i.is_paid]),
        },
    )


@portal_page("invoices")
def invoice_detail(request, pk: int):
    """One invoice as the law wants it: seller and buyer, dates, lines, totals per VAT rate,
    payment terms, and its KSeF number with the verification code KOD I."""
    invoice = selectors.invoice_get(actor=request.user, focus=request_focus(request), invoice_id=pk)
    if invoice is None:
        raise Http404
    content = invoice_content(request, invoice)
    content["pay_url"] = _pay_url(request)
    for code in ("kod1", "kod2"):
        if content[code]:
            content[code]["qr"] = segno.make(content[code]["url"], error="m").svg_data_uri(
                scale=3, border=2
            )
    return render(request, "billing/invoice.html", content)


def invoice_content(request, invoice) -> dict:
    return shown.invoice_content(request.tenant.configuration, invoice)


@portal_page("payments_received")
def payments(request):
    rows = selectors.payment_list(actor=request.user, focus=request_focus(request))
    return render(
        request,
        "billing/payments.html",
        {
            "page": _page(request, rows),
            "total": rows.aggregate(s=Sum("amount"))["s"],
            "deposits": selectors.deposit_list(actor=request.user, focus=request_focus(request)),
        },
    )


@portal_page("settlements")
def settlements(request):
    return render(
        request,
        "billing/settlements.html",
        {
            "page": _page(
                request, selectors.settlement_list(actor=request.user, focus=request_focus(request))
            )
        },
    )


class DisputeForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What do you disagree with?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@portal_page("balance_confirmation")
def balance_confirmations(request):
    rows = selectors.balance_confirmation_list(actor=request.user, focus=request_focus(request))
    return render(
        request, "billing/balance_confirmations.html", {"rows": rows, "form": DisputeForm()}
    )


@require_POST
@portal_page("balance_confirmation")
def balance_confirmation_answer(request, pk: int, answer: str):
    if answer not in ("confirm", "dispute"):
        raise Http404
    comment = request.POST.get("comment", "")
    try:
        services.balance_confirmation_answer(
            actor=request.user, confirmation_id=pk, confirm=answer == "confirm", comment=comment
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you, your answer has been recorded."))
    return redirect("billing_balance_confirmations")


@portal_page()
def premises(request):
    context = {
        "premises": selectors.premises_list(actor=request.user, focus=request_focus(request)),
        "contracts": selectors.contract_list(actor=request.user, focus=request_focus(request)),
        "service_points": selectors.service_point_list(
            actor=request.user, focus=request_focus(request)
        ),
    }
    return render(request, "billing/premises.html", context)


class EInvoiceForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address for invoices"), max_length=254)
    current_password = forms.CharField(
        label=gettext_lazy("Your current password"),
        max_length=256,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@portal_page("e_invoice")
def einvoice(request):
    """E-invoice consent, one panel per customer the actor sees, each naming its customer (a
    manager of several customers, or an account holding several payer records, must see whose
    consent each is). A change goes to the customer named in the form."""
    customers = list(
        selectors.customer_list(actor=request.user, focus=request_focus(request)).order_by(
            "name", "symbol"
        )[:20]
    )
    if not customers:
        raise PermissionDenied
    covered = selectors.fully_covered_customer_ids(selectors.scope_for(request.user))
    posted = None
    if request.method == "POST":
        chosen = str(request.POST.get("customer") or customers[0].pk)
        posted = next((c for c in customers if str(c.pk) == chosen), None)
        if posted is None:
            raise Http404
        if covered is not None and posted.pk not in covered:
            raise PermissionDenied
    panels = []
    form_errors = False
    for customer in customers:
        consent = selectors.einvoice_consent(
            actor=request.user, focus=request_focus(request), customer_id=customer.pk
        )
        is_posted = posted is not None and posted.pk == customer.pk
        form = EInvoiceForm(
            request.POST if is_posted else None,
            initial={"email": consent.email or request.user.email},
            auto_id=f"id_c{customer.pk}_%s",  # one form per customer: ids stay unique
        )
        if is_posted:
            done = _einvoice_change(request, customer, form)
            if done is not None:
                return done
            form_errors = bool(form.errors)
        panels.append(
            {
                "customer": customer,
                "consent": consent,
                "form": form,
                "may_change": covered is None or customer.pk in covered,
                "history": selectors.einvoice_history(customer_id=customer.pk, limit=20),
            }
        )
    return render(
        request,
        "billing/einvoice.html",
        {"panels": panels, "several": len(panels) > 1},
        status=400 if form_errors else 200,
    )


def _einvoice_change(request, customer, form):
    """Apply a posted change to ``customer``'s consent; a redirect when done, else None (the
    form carries the errors)."""
    try:
        if request.POST.get("action") == "withdraw":
            services.einvoice_withdraw(
                actor=request.user, customer_id=customer.pk, info=request_info(request)
            )
            messages.success(
                request,
                _("E-invoices are switched off for %(customer)s.") % {"customer": customer.name},
            )
            return redirect("billing_einvoice")
        if form.is_valid():
            services.einvoice_set(
                actor=request.user,
                customer_id=customer.pk,
                email=form.cleaned_data["email"],
                current_password=form.cleaned_data["current_password"],
                info=request_info(request),
            )
            messages.success(
                request,
                _("E-invoices will be sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("billing_einvoice")
    except ApplicationError as exc:
        add_form_errors(form, exc)
    return None


@portal_page("membership")
def membership(request):
    customers = selectors.customer_list(actor=request.user, focus=request_focus(request))

    contributions = Contribution.objects.filter(customer__in=customers)
    return render(
        request, "billing/membership.html", {"customers": customers, "contributions": contributions}
    )


@portal_page("debt_collection")
def debt_collection(request):
    overdue = selectors.overdue_invoices(actor=request.user, focus=request_focus(request))
    return render(
        request,
        "billing/debt_collection.html",
        {
            "customers": selectors.customer_list(actor=request.user, focus=request_focus(request)),
            "overdue": overdue[:50],
            "overdue_total": overdue.aggregate(s=Sum(F("gross") - F("paid")))["s"]
            or selectors.ZERO,
        },
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def invoice_xml_response(request, pk: int) -> HttpResponse:
    """The invoice's FA(3) XML as KSeF holds it, to download; 404 for an invoice the actor may
    not see or one without XML."""
    found = selectors.invoice_xml(actor=request.user, focus=request_focus(request), invoice_id=pk)
    if found is None:
        raise Http404
    invoice, content = found
    name = invoice.ksef_number or f"faktura-{invoice.number}"
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(name)}.xml"'
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "sandbox"  # never run as a page, whatever it holds
    return response


def _safe_filename(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)


@portal_page("invoices")
def invoice_xml_view(request, pk: int):
    return invoice_xml_response(request, pk)


def invoice_pdf_response(request, pk: int) -> HttpResponse:
    """The invoice as a PDF with the transfer QR code; 404 for an invoice the actor may not see."""

    invoice = selectors.invoice_get(actor=request.user, focus=request_focus(request), invoice_id=pk)
    if invoice is None:
        raise Http404
    content = shown.invoice_document(
        request.tenant.configuration,
        invoice,
        lines=selectors.invoice_lines(
            actor=request.user, focus=request_focus(request), invoice=invoice
        ),
    )
    return _pdf_response(content, f"faktura-{invoice.number.replace('/', '-')}.pdf")


@portal_page("invoices")
def invoice_pdf_view(request, pk: int):
    return invoice_pdf_response(request, pk)


@portal_page()
def balance_pdf_view(request):

    config = request.tenant.configuration
    content = balance_pdf(
        customers=list(
            selectors.customer_list(actor=request.user, focus=request_focus(request))[:10]
        ),
        balance=selectors.balance(actor=request.user, focus=request_focus(request)),
        months=selectors.balance_by_month(
            actor=request.user, focus=request_focus(request), months=12
        ),
        branding=config.branding,
        payee=config.payee,
        as_of=timezone.localdate(),
    )
    return _pdf_response(content, "saldo.pdf")


@require_POST
@portal_page()
def switch_focus(request):
    """A manager chooses one customer or one building, or everything it manages again."""
    focus = None
    if request.POST.get("customer", "").isdigit():
        focus = {"customer": int(request.POST["customer"])}
    elif request.POST.get("building", "").isdigit():
        focus = {"building": int(request.POST["building"])}
    if focus is None:
        request.session.pop(FOCUS_KEY, None)
    else:
        request.session[FOCUS_KEY] = focus
    target = str(request.POST.get("next", ""))
    return redirect(target if target.startswith("/") and not target.startswith("//") else "home")
