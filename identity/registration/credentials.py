"""How a registered applicant's first credentials reach them: one strategy per
``CredentialDelivery`` (the tenant's setting, tenants.policies), chosen from a table like the
onboarding wizard's steps: no code branches on a tenant or its kind."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.outbox.services import email_enqueue, local_time
from identity import services
from identity.models import OneTimeToken, RegistrationRequest, User
from tenants.policies import CredentialDelivery, TenantConfig


def notice(
    to: str, title: str, text: str, *, link: str = "", link_label: str = "", greeting: str = ""
) -> None:
    """An e-mail in the active language: callers compose it in the recipient's language."""
    email_enqueue(
        to=to,
        template="notice",
        language=translation.get_language(),
        context={
            "title": title,
            "text": text,
            "link": link,
            "link_label": link_label,
            "greeting_name": greeting,
        },
    )


Strategy = Callable[..., None]


def _activation_link(title, text, label) -> Strategy:
    """The account waits for its e-mail address to be confirmed by a link (then a one-time
    password follows, or the three-e-mail flow goes on)."""

    def deliver(*, request: RegistrationRequest, user: User, config: TenantConfig, base_url: str):
        user.is_active = False
        user.save(update_fields=["is_active"])
        token, row = services.token_issue(
            user=user, purpose=OneTimeToken.Purpose.ACTIVATION, hours=config.links.activation_hours
        )
        notice(
            request.email,
            str(title),
            str(text)
            % {"portal": config.branding.portal_name, "until": local_time(row.expires_at)},
            link=f"{base_url}/register/activate/{token}/",
            link_label=str(label),
        )
        request.status = RegistrationRequest.Status.ACTIVATION_SENT

    return deliver


def _temporary_password(
    *, request: RegistrationRequest, user: User, config: TenantConfig, base_url: str
) -> None:
    code = services.temporary_password()
    user.set_password(code)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    notice(
        request.email,
        _("Your access to %(portal)s") % {"portal": config.branding.portal_name},
        _(
            "Your data have been verified. Login: %(login)s\n"
            "Temporary password: %(code)s\nYou will set "
            "your own password at the first login."
        )
        % {"login": user.shown_login, "code": code},
        link=f"{base_url}/login/",
        link_label=_("Log in"),
    )
    request.status = RegistrationRequest.Status.COMPLETED


def _set_password_link(
    *, request: RegistrationRequest, user: User, config: TenantConfig, base_url: str
) -> None:
    token, row = services.token_issue(
        user=user,
        purpose=OneTimeToken.Purpose.SET_PASSWORD,
        hours=config.links.set_password_hours,
    )
    notice(
        request.email,
        _("Your account is active"),
        _(
            "Your account on %(portal)s has been activated. "
            "Open the link below to set your password; "
            "it works once and expires on %(until)s. Then log in with: %(login)s."
        )
        % {
            "portal": config.branding.portal_name,
            "until": local_time(row.expires_at),
            "login": user.shown_login,
        },
        link=f"{base_url}/password/set/{token}/",
        link_label=_("Set the password"),
        greeting=user.shown_login,  # seed A greets by the customer symbol
    )
    request.status = RegistrationRequest.Status.COMPLETED


STRATEGIES: dict[CredentialDelivery, Strategy] = {
    CredentialDelivery.THREE_EMAILS: _activation_link(
        gettext_lazy("Registration"),
        gettext_lazy(
            "Thank you for registering on %(portal)s. Open the link below to confirm your "
            "e-mail address; it is valid until %(until)s."
        ),
        gettext_lazy("Confirm"),
    ),
    CredentialDelivery.ACTIVATION_LINK_THEN_ONE_TIME_PASSWORD: _activation_link(
        gettext_lazy("Activate your account"),
        gettext_lazy(
            "Your data are correct. Open the link below to activate your account "
            "on %(portal)s. The link "
            "is valid until %(until)s."
        ),
        gettext_lazy("Activate the account"),
    ),
    CredentialDelivery.TEMPORARY_PASSWORD: _temporary_password,
    CredentialDelivery.SET_PASSWORD_LINK: _set_password_link,
}


def deliver(*, request: RegistrationRequest, user: User, config: TenantConfig, base_url: str):
    """Send ``user`` their first credentials the tenant's way (a set-password link for a kind
    without a strategy of its own, such as the office's letter)."""
    strategy = STRATEGIES.get(config.registration.credentials, _set_password_link)
    strategy(request=request, user=user, config=config, base_url=base_url)
