"""Staff invitations: an account without a password and a single-use link to set one. The tenant's
first administrator is invited the same way when the platform provisions a tenant (registered
with tenants.provisioning in AppConfig.ready)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import email_enqueue, local_time, recipient_language
from identity import services
from identity.errors import IdentityErrorCode
from identity.models import AuthEvent, OneTimeToken, User
from identity.selectors import tenant_config

INVITATION_HOURS = 72


def _portal_name() -> str:
    config = tenant_config()
    return config.branding.portal_name if config else "e-BOK"


def _send_invitation(*, user: User, base_url: str, language: str) -> None:
    token, row = services.token_issue(
        user=user, purpose=OneTimeToken.Purpose.SET_PASSWORD, hours=INVITATION_HOURS
    )
    language = recipient_language(language)
    with translation.override(language):
        _invitation_enqueue(user=user, token=token, row=row, base_url=base_url, language=language)


def _invitation_enqueue(*, user: User, token: str, row, base_url: str, language: str) -> None:
    email_enqueue(
        to=user.email,
        template="staff_invitation",
        language=language,
        context={
            "greeting_name": user.first_name,
            "role": user.get_role_display(),
            "portal": _portal_name(),
            "until": local_time(row.expires_at),
            "login": user.shown_login,
            "link": f"{base_url}/password/set/{token}/",
        },
    )


@transaction.atomic
def staff_invite(
    *,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    base_url: str,
    language: str = "",
    actor: User | None = None,
    info: services.RequestInfo | None = None,
) -> User:
    """Open a staff account (login = the e-mail address) and e-mail the set-password link."""
    email = email.strip().lower()
    problems = {}
    if role not in User.STAFF_ROLES:
        problems["role"] = [_("Choose a staff role.")]
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = [_("Enter a valid e-mail address.")]
    if not first_name.strip():
        problems["first_name"] = [_("This field is required.")]
    if not last_name.strip():
        problems["last_name"] = [_("This field is required.")]
    if problems:
        raise ApplicationError(
            _("Some fields are not valid."), code=CoreErrorCode.INVALID, extra={"fields": problems}
        )
    if (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ApplicationError(
            _("An account with this e-mail address already exists."),
            code=IdentityErrorCode.LOGIN_TAKEN,
            status=409,
            extra={"fields": {"email": [_("An account with this e-mail address already exists.")]}},
        )
    user = services.user_create(
        login=email,
        password=None,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
    )
    user.language = recipient_language(language)
    user.save(update_fields=["language"])
    _send_invitation(user=user, base_url=base_url, language=language)
    services.audit(
        AuthEvent.Kind.STAFF_INVITED,
        user=user,
        login=user.get_username(),
        info=info,
        invited_by=actor.get_username() if actor else "platform",
        role=role,
    )
    return user


def administrator_create(
    *, tenant, first_name: str, last_name: str, email: str, language: str, base_url: str
) -> None:
    """The provisioned tenant's first administrator (idempotent: a second run sends nothing)."""
    if User.objects.filter(role=User.Role.TENANT_ADMIN).exists():
        return
    staff_invite(
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=User.Role.TENANT_ADMIN,
        base_url=base_url,
        language=language,
    )


def administrator_invitation_resend(*, tenant, base_url: str) -> int:
    """A fresh link for every administrator who has never logged in; earlier links stop working."""
    pending = list(
        User.objects.filter(role=User.Role.TENANT_ADMIN, is_active=True, last_login__isnull=True)
    )
    for user in pending:
        OneTimeToken.objects.filter(
            user=user, purpose=OneTimeToken.Purpose.SET_PASSWORD, used_at__isnull=True
        ).update(used_at=timezone.now())
        _send_invitation(user=user, base_url=base_url, language=user.language)
    return len(pending)
