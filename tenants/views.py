"""Organisation signup on the platform's root host: the form, the confirmation link and the
page that follows the provisioning."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from core.errors import ApplicationError, Throttled
from core.http import base_url
from core.throttling import client_ip, hit
from tenants import provisioning, selectors
from tenants.forms import SignupForm
from tenants.models import SignupRequest


def tenant_url_builder(request: HttpRequest):
    """The new tenant's address with this request's scheme and port."""
    port = request.get_port()

    def build(slug: str) -> str:
        return provisioning.tenant_base_url(slug=slug, scheme=request.scheme, port=port)

    return build


def signup_view(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                hit("signup_ip", client_ip(request))
                hit("signup_email", data["admin_email"])
                signup = provisioning.signup_request(
                    **{name: data[name] for name in provisioning.SIGNUP_FIELDS},
                    slug=data["slug"],
                    preset=data["preset"] or None,
                    language=get_language() or "pl",
                    ip=client_ip(request),
                    base_url=base_url(request),
                )
            except Throttled as exc:
                form.add_error(None, exc.message)
                status = 429
            except ApplicationError as exc:
                form.add_error("slug" if exc.code.startswith("slug") else None, exc.message)
                status = 400
            else:
                return render(request, "tenants/signup_sent.html", {"signup": signup})
        else:
            status = 400
    return render(
        request,
        "tenants/signup.html",
        {"form": form, "platform_domain": settings.PLATFORM_DOMAIN},
        status=status,
    )


def signup_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links do not confirm anything); POST confirms."""
    try:
        signup = provisioning.signup_peek(token=token)
    except ApplicationError as exc:
        return render(
            request, "tenants/signup_link_invalid.html", {"message": exc.message}, status=410
        )
    if request.method == "POST":
        signup = provisioning.signup_confirm(
            token=token, tenant_base_url_for=tenant_url_builder(request)
        )
        return redirect("signup_status", public_id=signup.public_id)
    if signup.status != SignupRequest.Status.AWAITING_CONFIRMATION:
        return redirect("signup_status", public_id=signup.public_id)
    return render(request, "tenants/signup_confirm.html", {"signup": signup})


def signup_status_view(request: HttpRequest, public_id) -> HttpResponse:
    signup = selectors.signup_by_public_id(public_id)
    if signup is None:
        raise Http404
    status = selectors.signup_status(signup, tenant_url_for=tenant_url_builder(request))
    return render(request, "tenants/signup_status.html", {"signup": signup, "status": status})


def terms_view(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/terms.html", {"version": provisioning.PLATFORM_TERMS_VERSION})
