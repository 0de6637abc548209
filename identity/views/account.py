"""Moje konto: the profile, the e-mail change's confirmation, erasing contact data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.http import base_url
from identity import profile, selectors, services
from identity.errors import LinkExpired, LinkUsed
from identity.forms import (
    ContactForm,
)
from identity.models import CorrespondenceAddress, OneTimeToken
from identity.twofactor import services as twofactor
from identity.views.common import _posted, request_info
from tenants.policies import RecoveryMethod


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """Moje konto: the login data, the customer records the account holds, and the contact data
    the customer keeps up to date themselves (or erases)."""
    user = request.user
    address = CorrespondenceAddress.objects.filter(user=user).first()
    initial = {"email": user.email, "phone": user.phone}
    if address is not None:
        initial.update({name: getattr(address, name) for name in ContactForm.ADDRESS})
    form = ContactForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=user,
                current_password=form.cleaned_data["current_password"],
                info=request_info(request),
                base_url=base_url(request),
                **form.changes(),
            )
        except ApplicationError as exc:
            _add_contact_errors(form, exc)
        else:
            messages.success(request, _("Your contact data are saved."))
            if user.pending_email:
                messages.info(
                    request,
                    _("We have sent a link to %(email)s: the new address is used once you open it.")
                    % {"email": user.pending_email},
                )
            return redirect("account")
    context = {
        "form": form,
        "address_fields": [form[name] for name in ContactForm.ADDRESS],
        "address": address,
        "sections": profile.sections(user),
        "account_links": profile.links(user),
        "has_authenticator": twofactor.has_confirmed_device(user),
    }
    return render(request, "identity/account.html", context, status=400 if form.errors else 200)


def _add_contact_errors(form, exc: ApplicationError) -> None:
    """The service's field paths (``address.town``) onto the form's fields."""
    for path, errors in (exc.extra.get("fields") or {}).items():
        name = path.removeprefix("address.")
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    if not exc.extra.get("fields"):
        form.add_error(None, exc.message)


def email_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new e-mail address: opening it makes it the account's address (the
    password was asked when the change was made; the link proves the mailbox)."""
    if request.method != "POST":
        # A mail scanner that follows links must not confirm: the page asks for one click.
        try:
            services.token_peek(token=token, purpose=OneTimeToken.Purpose.EMAIL_CHANGE)
        except (LinkExpired, LinkUsed) as exc:
            return render(
                request, "identity/link_invalid.html", {"message": exc.message}, status=410
            )
        return render(request, "identity/email_confirm.html")
    try:
        user = services.email_change_confirm(token=token, info=request_info(request))
    except (LinkExpired, LinkUsed) as exc:
        return render(request, "identity/link_invalid.html", {"message": exc.message}, status=410)
    messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": user.email})
    return redirect("account" if request.user.is_authenticated else "login")


@login_required
def contact_erase_view(request: HttpRequest) -> HttpResponse:
    """ "Delete my contact data": a confirmation page, then the erasure for good."""
    if request.method == "POST":
        services.contact_erase(user=request.user, info=request_info(request))
        messages.success(request, _("Your contact data have been deleted."))
        return redirect("account")
    config = selectors.tenant_config()
    keeps_email = config is None or config.links.recovery != RecoveryMethod.STAFF_ONLY
    return render(request, "identity/contact_erase.html", {"keeps_email": keeps_email})
