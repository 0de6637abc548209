"""The user's own contact data: re-authentication, e-mail change confirmed by its owner, erasure."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError, CoreErrorCode, Throttled
from core.outbox.services import email_enqueue, local_time, recipient_language
from core.throttling import LIMITS, exceeded, hit
from identity import (
    selectors,  # the Celery tasks of the functions below (they call back here)
)
from identity.errors import (
    IdentityErrorCode,
    LinkUsed,
)
from identity.models import (
    AuthEvent,
    CorrespondenceAddress,
    OneTimeToken,
    User,
)
from identity.services.base import RequestInfo, audit
from identity.services.passwords import security_notice
from identity.services.tokens import token_consume, token_issue
from tenants.policies import RecoveryMethod


def reauthenticate(*, user: User, current_password: str, info: RequestInfo | None = None) -> None:
    """Ask for the password again before a change that could hand the account over (its e-mail
    or phone, where invoices go): a session left open or a stolen token is not enough. Wrong
    answers are audited and throttled per account (429), so this cannot guess the password.
    Call it outside the change's transaction: a refusal must not roll back its own record."""

    if exceeded("reauth_account", str(user.pk)):
        # Even the right password waits for the window: the limit cannot be probed around.
        raise Throttled(retry_after=LIMITS["reauth_account"][1])
    if current_password and user.check_password(current_password):
        return
    audit(AuthEvent.Kind.REAUTHENTICATION_FAILED, user=user, login=user.get_username(), info=info)
    hit("reauth_account", str(user.pk))  # only wrong answers count
    message = (
        _("The current password is incorrect.")
        if current_password
        else _("Enter your current password to confirm this change.")
    )
    raise ApplicationError(
        message,
        code=IdentityErrorCode.WRONG_CURRENT_PASSWORD,
        extra={
            "fields": {
                "current_password": [
                    ValidationError(message, code=IdentityErrorCode.WRONG_CURRENT_PASSWORD)
                ]
            }
        },
    )


ADDRESS_FIELDS = ("country", "postcode", "post_office", "town", "street", "house_no", "flat_no")
POLISH_POSTCODE = re.compile(r"^\d{2}-\d{3}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,30}$")


def _address_given(address: dict | None) -> bool:
    """Whether an address was typed at all (the country alone, filled in by the form, is not)."""
    return any((address or {}).get(n) for n in ADDRESS_FIELDS if n != "country")


def _contact_problems(user: User, changes: dict) -> dict[str, list[str]]:
    """What is wrong with contact data as typed (every field at once)."""
    problems: dict[str, list[str]] = {}
    phone = changes.get("phone")
    if phone and not PHONE.match(phone):
        problems["phone"] = [_("Enter a phone number of digits (a leading + is fine).")]
    email = changes.get("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = [_("Enter a valid e-mail address.")]
    elif email == "" and user.email:
        config = selectors.tenant_config()
        if config is not None and config.links.recovery != RecoveryMethod.STAFF_ONLY:
            problems["email"] = [
                _("The e-mail address is how you recover your password: it cannot be removed.")
            ]
    address = changes.get("address") or {}
    if _address_given(address):
        for name in ("town", "house_no"):
            if not address.get(name):
                problems[f"address.{name}"] = [_("This field is required.")]
        country = address.get("country", "").strip().casefold()
        postcode = address.get("postcode", "")
        if country in ("", "polska", "poland", "польща") and not POLISH_POSTCODE.match(postcode):
            problems["address.postcode"] = [_("A Polish postcode is written as 00-000.")]
    return problems


def _address_text(user: User) -> str:
    address = CorrespondenceAddress.objects.filter(user=user).first()
    if address is None:
        return ""
    flat = f"/{address.flat_no}" if address.flat_no else ""
    street = f"{address.street} " if address.street else ""
    return f"{street}{address.house_no}{flat}, {address.postcode} {address.town}".strip(", ")


def profile_update(
    *,
    user: User,
    current_password: str = "",
    info: RequestInfo | None = None,
    base_url: str = "",
    actor: User | None = None,
    **changes,
) -> User:
    """Change the user's contact data and language. A new e-mail address or phone number needs
    the current password (they can hand the account over); the correspondence address and the
    language do not. A new e-mail address takes effect only when its owner opens the link sent
    to it (the old address is told); removing the address is allowed only where the office,
    not e-mail, recovers passwords. Invalid data changes nothing and is reported field by
    field. The password is checked outside the write's transaction, so a refusal's audit row
    and throttle count are kept.

    The office corrects a customer's data through the same function (``actor``: the member of
    staff, who saw the customer and is not asked for the customer's password); a new e-mail
    address still waits for its owner's confirmation. The audit row names who changed what,
    from which value to which."""
    by_staff = actor is not None and actor.pk != user.pk
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if isinstance(changes.get("address"), dict):
        changes["address"] = {
            name: str(changes["address"].get(name) or "").strip() for name in ADDRESS_FIELDS
        }
    problems = _contact_problems(user, changes)
    if problems:
        raise ApplicationError(
            _("Some fields are not valid."), code=CoreErrorCode.INVALID, extra={"fields": problems}
        )
    new_email = changes.get("email")
    email_changes = new_email is not None and new_email.casefold() != user.email.casefold()
    phone_changes = "phone" in changes and changes["phone"] != user.phone
    if (email_changes or phone_changes) and not by_staff:
        reauthenticate(user=user, current_password=current_password, info=info)
    before = {
        "phone": user.phone,
        "email": user.email,
        "pending_email": user.pending_email,
        "address": _address_text(user),
    }
    changed = []
    with transaction.atomic():
        if phone_changes:
            user.phone = changes["phone"]
            changed.append("phone")
        if "language" in changes and (
            changes["language"] != user.language or not user.language_chosen
        ):
            user.language, user.language_chosen = changes["language"], True
            changed += ["language", "language_chosen"]
        if email_changes and not new_email:
            user.email, user.pending_email = "", ""
            changed += ["email", "pending_email"]
        if changed:
            user.save(update_fields=changed)
        if "address" in changes and _address_save(user, changes["address"]):
            changed.append("address")
        if email_changes and new_email:
            _email_change_start(user=user, email=new_email.lower(), base_url=base_url)
            changed.append("pending_email")
    if set(changed) - {"language", "language_chosen"}:
        after = {**before, "address": _address_text(user)}
        after.update(phone=user.phone, email=user.email, pending_email=user.pending_email)
        audit(
            AuthEvent.Kind.CONTACT_CHANGED,
            user=user,
            login=user.get_username(),
            info=info,
            fields=sorted(changed),
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
            **({"actor": actor.get_username()} if by_staff and actor is not None else {}),
        )
    return user


def _address_save(user: User, address: dict | None) -> bool:
    """Store, replace or (when nothing is typed) remove the correspondence address; whether
    anything changed."""
    current = CorrespondenceAddress.objects.filter(user=user).first()
    if not _address_given(address):
        if current is None:
            return False
        current.delete()
        return True
    values = {name: str((address or {}).get(name) or "")[:120] for name in ADDRESS_FIELDS}
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return False
    CorrespondenceAddress.objects.update_or_create(user=user, defaults=values)
    return True


def _email_change_start(*, user: User, email: str, base_url: str) -> None:
    """A new address is used only once its owner opens the link sent to it, so nobody can put
    an address they do not hold on an account (and take the mail or the recovery of another
    account that uses it); the old address is told at once."""
    OneTimeToken.objects.filter(
        user=user, purpose=OneTimeToken.Purpose.EMAIL_CHANGE, used_at__isnull=True
    ).delete()
    user.pending_email = email
    user.save(update_fields=["pending_email"])
    token, row = token_issue(user=user, purpose=OneTimeToken.Purpose.EMAIL_CHANGE, hours=24)
    with translation.override(recipient_language(user.language)):
        email_enqueue(
            to=email,
            template="email_change_confirm",
            language=translation.get_language(),
            context={
                "greeting_name": user.greeting_name,
                "login": user.shown_login,
                "until": local_time(row.expires_at),
                "link": f"{base_url}/account/email/confirm/{token}/",
            },
        )
    if user.email:
        security_notice(user=user, event=AuthEvent.Kind.CONTACT_CHANGED, to=user.email)


@transaction.atomic
def email_change_confirm(*, token: str, info: RequestInfo | None = None) -> User:
    """The link from the new address: it becomes the account's address."""
    user = token_consume(token=token, purpose=OneTimeToken.Purpose.EMAIL_CHANGE)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.pending_email:
        raise LinkUsed()
    user.email, user.pending_email = user.pending_email, ""
    user.save(update_fields=["email", "pending_email"])
    audit(AuthEvent.Kind.CONTACT_CHANGED, user=user, login=user.get_username(), info=info)
    return user


@transaction.atomic
def contact_erase(*, user: User, info: RequestInfo | None = None) -> None:
    """Erase the voluntary contact data for good (the user may do this at any time): the phone,
    the correspondence address, and the e-mail where the office, not e-mail, recovers accounts."""
    user.phone, user.pending_email = "", ""
    config = selectors.tenant_config()
    if config is not None and config.links.recovery == RecoveryMethod.STAFF_ONLY:
        user.email = ""  # not needed for recovery where the office issues new passwords
    user.save(update_fields=["phone", "email", "pending_email"])
    CorrespondenceAddress.objects.filter(user=user).delete()
    audit(AuthEvent.Kind.CONTACT_ERASED, user=user, login=user.get_username(), info=info)
