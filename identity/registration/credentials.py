"""How a registered applicant's first credentials reach them: one strategy per
``CredentialDelivery`` (the tenant's setting, tenants.policies), chosen from a table like the
onboarding wizard's steps: no code branches on a tenant or its kind. Each e-mail is a message
template (templates/email/messages/)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation

from core.outbox.services import email_enqueue, local_time
from identity import services
from identity.models import OneTimeToken, RegistrationRequest, User
from tenants.policies import CredentialDelivery, TenantConfig


def message(to: str, name: str, **values) -> None:
    """The message ``name`` (templates/email/messages/<name>.txt) in the active language."""
    email_enqueue(to=to, template=name, language=translation.get_language(), context=values)


Strategy = Callable[..., None]


def _activation_link(name: str) -> Strategy:
    """The account waits for its e-mail address to be confirmed by a link (then a one-time
    password follows, or the three-e-mail flow goes on)."""

    def deliver(*, request: RegistrationRequest, user: User, config: TenantConfig, base_url: str):
        user.is_active = False
        user.save(update_fields=["is_active"])
        token, row = services.token_issue(
            user=user, purpose=OneTimeToken.Purpose.ACTIVATION, hours=config.links.activation_hours
        )
        message(
            request.email,
            name,
            portal=config.branding.portal_name,
            until=local_time(row.expires_at),
            link=f"{base_url}/register/activate/{token}/",
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
    message(
        request.email,
        "registration_temporary_password",
        portal=config.branding.portal_name,
        login=user.shown_login,
        code=code,
        link=f"{base_url}/login/",
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
    message(
        request.email,
        "registration_set_password",
        portal=config.branding.portal_name,
        until=local_time(row.expires_at),
        login=user.shown_login,
        link=f"{base_url}/password/set/{token}/",
        greeting_name=user.shown_login,  # seed A greets by the customer symbol
    )
    request.status = RegistrationRequest.Status.COMPLETED


STRATEGIES: dict[CredentialDelivery, Strategy] = {
    CredentialDelivery.THREE_EMAILS: _activation_link("registration_confirm_email"),
    CredentialDelivery.ACTIVATION_LINK_THEN_ONE_TIME_PASSWORD: _activation_link(
        "registration_activate"
    ),
    CredentialDelivery.TEMPORARY_PASSWORD: _temporary_password,
    CredentialDelivery.SET_PASSWORD_LINK: _set_password_link,
}


def deliver(*, request: RegistrationRequest, user: User, config: TenantConfig, base_url: str):
    """Send ``user`` their first credentials the tenant's way (a set-password link for a kind
    without a strategy of its own, such as the office's letter)."""
    strategy = STRATEGIES.get(config.registration.credentials, _set_password_link)
    strategy(request=request, user=user, config=config, base_url=base_url)
