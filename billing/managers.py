"""Property managers' applications: the public form, the office's review with a premises search,
and approval (company, account, grants, set-password link)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import CharField, F, Func, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import selectors
from billing.errors import BillingErrorCode
from billing.models import (
    ManagerApplication,
    ManagerCompany,
    ManagerMembership,
    PremisesGrant,
)
from billing.services import grant_create, grant_revoke
from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import email_enqueue, local_time, recipient_language
from identity.errors import IdentityErrorCode
from identity.permissions import staff_required


class ApplicationForm(forms.Form):
    company_name = forms.CharField(label=gettext_lazy("Company name"), max_length=200)
    nip = forms.CharField(label=gettext_lazy("NIP"), max_length=13)
    contact_person = forms.CharField(label=gettext_lazy("Contact person"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    addresses = forms.CharField(
        label=gettext_lazy("Addresses you administer (one per line)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_nip(self):
        from stdnum.pl import nip

        value = nip.compact(self.cleaned_data["nip"])
        if not nip.is_valid(value):
            raise forms.ValidationError(
                gettext_lazy("The NIP number is not valid."), code=BillingErrorCode.INVALID_NIP
            )
        return value


def _notice(to, title, text, link=""):
    """An e-mail in the active language: callers compose it in the applicant's."""
    email_enqueue(
        to=to,
        template="notice",
        language=translation.get_language(),
        context={"title": title, "text": text, "link": link},
    )


def apply_view(request):
    """The public application form (tenants with the property-managers module)."""
    from django.core.exceptions import PermissionDenied

    if not request.tenant.configuration.has_module("property_managers"):
        raise PermissionDenied
    if request.tenant.is_onboarding:
        return render(request, "identity/register_not_open.html", status=404)
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        from core.errors import Throttled
        from core.throttling import client_ip, hit

        try:
            hit("registration_ip", client_ip(request))
        except Throttled as exc:
            form.add_error(None, exc.message)
            return render(request, "billing/managers/apply.html", {"form": form}, status=429)
        with transaction.atomic():
            application = ManagerApplication.objects.create(
                **form.cleaned_data, language=recipient_language(request.LANGUAGE_CODE)
            )
            _notice(
                application.email,
                _("We have received your application"),
                _(
                    "Thank you. The office will check the addresses you administer "
                    "and answer by e-mail."
                ),
            )
        return render(request, "billing/managers/applied.html")
    return render(
        request, "billing/managers/apply.html", {"form": form}, status=400 if form.errors else 200
    )


SEARCH_LIMIT = 100


def _natural(field: str):
    """Order by the number a house or flat number starts with, then by the text ("2" < "10" <
    "10a"), as people read addresses."""
    # At most 9 digits: the number always fits an integer, whatever the ERP sent.
    number = Func(F(field), Value(r"^\d{1,9}"), function="substring", output_field=CharField())
    return (Cast(number, IntegerField()).asc(nulls_last=True), F(field).asc())


def _address_words(query: str) -> list[tuple[str, str]]:
    """The words of an address search as (kind, text): "ul. Modrzewiowa 1/7" is the street
    "Modrzewiowa", building "1" and flat "7"."""
    out: list[tuple[str, str]] = []
    for word in re.split(r"[\s,]+", query):
        word = word.strip(".")
        if not word or word.casefold() in {"ul", "al", "os", "pl", "m"}:
            continue
        if "/" in word:
            building, _slash, flat = word.partition("/")
            out += [("building", building)] if building else []
            out += [("flat", flat)] if flat else []
        else:
            out.append(("word", word))
    return out[:6]


def premises_search(actor, query: str) -> tuple[list, bool]:
    """Premises whose address matches every word of ``query``, in natural order; and whether
    more matched than are shown (the page says so instead of cutting the list silently)."""
    rows = selectors.premises_list(actor=actor)
    words = _address_words(query.replace("\x00", ""))  # PostgreSQL refuses NUL
    if not words:
        return [], False
    for kind, word in words:
        if kind == "building":
            rows = rows.filter(building_no__iexact=word)
        elif kind == "flat":
            rows = rows.filter(flat_no__iexact=word)
        else:
            rows = rows.filter(
                Q(street__icontains=word)
                | Q(building_no__iexact=word)
                | Q(flat_no__iexact=word)
                | Q(city__icontains=word)
            )
    found = list(
        rows.order_by("street", *_natural("building_no"), *_natural("flat_no"), "pk")[
            : SEARCH_LIMIT + 1
        ]
    )
    return found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT


@staff_required("managers.review")
def office_applications(request):
    return _office_page(request, query=request.GET.get("q", ""))


def _office_page(request, *, query: str = "", application_id: int | None = None, kept=()):
    """The applications with a premises search each. ``kept`` are the premises ticked in
    ``application_id``'s form before a new search: they stay ticked whatever the new search
    finds."""
    pending = ManagerApplication.objects.filter(status=ManagerApplication.Status.PENDING).order_by(
        "created_at"
    )
    query = query.replace("\x00", "").strip()
    found, more = premises_search(request.user, query) if query else ([], False)
    kept_rows = list(
        selectors.premises_list(actor=request.user)
        .filter(pk__in=kept)
        .order_by("street", *_natural("building_no"), *_natural("flat_no"))
    )
    kept_ids = {p.pk for p in kept_rows}
    panels = [
        {
            "application": a,
            "q": query if application_id in (None, a.pk) else "",
            "kept": kept_rows if a.pk == application_id else [],
            "found": [p for p in found if p.pk not in kept_ids]
            if application_id in (None, a.pk)
            else [],
            "more": more if application_id in (None, a.pk) else False,
        }
        for a in pending
    ]
    grants = (
        PremisesGrant.objects.filter(revoked_at__isnull=True)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()))
        .select_related("company", "premises")
        .order_by("company__name", "premises__street", "premises__building_no", "premises__flat_no")
    )
    return render(
        request,
        "billing/managers/office.html",
        {"panels": panels, "q": query, "grants": grants, "limit": SEARCH_LIMIT},
    )


@require_POST
@staff_required("managers.review")
def office_grant_revoke(request, pk: int):
    grant = get_object_or_404(PremisesGrant, pk=pk)
    grant_revoke(grant=grant, actor=request.user.get_username())
    messages.success(request, _("Access to the premises has been revoked."))
    return redirect("office_manager_applications")


@transaction.atomic
def application_approve(
    *, application: ManagerApplication, premises_ids: list[int], valid_to, actor, base_url: str
):
    from identity.models import OneTimeToken, User
    from identity.services import token_issue, user_create

    _ensure_pending(application)
    company, _created = ManagerCompany.objects.get_or_create(
        nip=application.nip, defaults={"name": application.company_name}
    )
    user = User.objects.filter(username__iexact=application.email).first()
    if user is None:
        user = user_create(
            login=application.email,
            password=None,
            role=User.Role.MANAGER,
            email=application.email,
            first_name=application.contact_person[:150],
        )
        user.language = recipient_language(application.language)
        user.save(update_fields=["language"])
    membership, _created = ManagerMembership.objects.get_or_create(
        user=user, defaults={"company": company}
    )
    if user.role != User.Role.MANAGER or membership.company_id != company.pk:
        raise ApplicationError(
            _("This e-mail address already belongs to another account."),
            code=IdentityErrorCode.LOGIN_TAKEN,
            status=409,
        )
    grant_create(
        company=company,
        premises_ids=premises_ids,
        valid_from=timezone.localdate(),
        valid_to=valid_to,
        actor=actor.get_username(),
    )
    token, row = token_issue(user=user, purpose=OneTimeToken.Purpose.SET_PASSWORD, hours=72)
    with translation.override(recipient_language(application.language)):
        _notice(
            application.email,
            _("Your access as a property manager"),
            _(
                "Your application is approved. Log in as %(login)s after setting your password "
                "with the link below (valid until %(until)s)."
            )
            % {"login": user.shown_login, "until": local_time(row.expires_at)},
            link=f"{base_url}/password/set/{token}/",
        )
    application.status = ManagerApplication.Status.APPROVED
    application.company, application.decided_by = company, actor.get_username()
    application.save()
    return company


def _ensure_pending(application: ManagerApplication) -> None:
    if application.status != ManagerApplication.Status.PENDING:
        raise ApplicationError(
            _("This application has already been decided."),
            code=CoreErrorCode.ALREADY_DECIDED,
            status=409,
        )


@transaction.atomic
def application_reject(*, application: ManagerApplication, reason: str, actor) -> None:
    _ensure_pending(application)
    if not reason.strip():
        raise ApplicationError(_("Please give the reason."), code=CoreErrorCode.REASON_REQUIRED)
    application.status, application.reason = ManagerApplication.Status.REJECTED, reason.strip()
    application.decided_by = actor.get_username()
    application.save()
    with translation.override(recipient_language(application.language)):
        _notice(application.email, _("Your application was not accepted"), application.reason)


@require_POST
@staff_required("managers.review")
def office_application_decide(request, pk: int):
    from core.http import base_url

    application = get_object_or_404(ManagerApplication, pk=pk)
    ticked = [int(v) for v in request.POST.getlist("premises") if v.isdigit()][:500]
    if request.POST.get("decision") == "search":
        return _office_page(
            request, query=str(request.POST.get("q", ""))[:200], application_id=pk, kept=ticked
        )
    try:
        if request.POST.get("decision") == "reject":
            application_reject(
                application=application,
                reason=str(request.POST.get("reason", "")),
                actor=request.user,
            )
        else:
            ids = ticked
            valid_to = forms.DateField(required=False).clean(request.POST.get("valid_to") or None)
            application_approve(
                application=application,
                premises_ids=ids,
                valid_to=valid_to,
                actor=request.user,
                base_url=base_url(request),
            )
    except (ApplicationError, forms.ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    else:
        messages.success(request, _("Done: the manager has been e-mailed."))
    return redirect("office_manager_applications")
