"""Writes of the registration pipeline: submit, verify, activate, review. Every outcome that
could tell whether a customer exists gives the same answer ("not recognised")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import recipient_language
from core.queueing import queue_after_commit
from identity import (
    registration,
    selectors,
    services,
    tasks,  # the Celery tasks of the functions below (they call back here)
)
from identity.errors import IdentityErrorCode
from identity.models import (
    ApiToken,
    AuthEvent,
    ConsentChannel,
    DocumentAcceptance,
    LoginLock,
    OneTimeToken,
    RegistrationRequest,
    User,
)
from identity.registration import credentials
from tenants.policies import CredentialDelivery, LoginIdentifier, Verification

REFUSALS = {
    IdentityErrorCode.CONTRACT_NOT_SIGNED: lambda: _(
        "Registration needs a contract that is at least signed by the customer."
    ),
}


def not_recognised_message() -> str:
    config = selectors.tenant_config()
    return str(config.registration.not_recognised_message if config else "") or _(
        "Your data were not recognised. Please fill in the form again or contact the office."
    )


def _field_errors(errors: dict) -> dict:

    return {
        name: [ValidationError(message, code=code) for code, message in items]
        for name, items in errors.items()
    }


def _login_taken() -> ApplicationError:
    return ApplicationError(
        _("Some fields are not valid."),
        code=CoreErrorCode.INVALID,
        extra={
            "fields": _field_errors(
                {
                    "login": [
                        (
                            IdentityErrorCode.LOGIN_TAKEN,
                            _("This login is taken. Please choose another."),
                        )
                    ]
                }
            )
        },
    )


_message = credentials.message


def _writing_to(language: str):
    """Compose a message in its recipient's language (else the tenant's), whoever caused it."""
    return translation.override(recipient_language(language))


def registrations_open() -> None:
    """A tenant still being set up by its administrator takes no registrations (nor managers'
    applications): 404 ``registration_closed``. Every path that registers someone calls it."""
    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "is_onboarding", False):
        raise ApplicationError(
            _("This portal is being prepared and does not accept registrations yet."),
            code=IdentityErrorCode.REGISTRATION_CLOSED,
            status=404,
        )


def registration_submit(
    *, cleaned: dict, documents: list, info=None, base_url: str
) -> RegistrationRequest:
    """Check an application and act per the tenant's flow. Raises ApplicationError (400) with
    field errors, ``not_recognised``, ``already_registered`` or ``contract_not_signed``. A refused
    application is kept as a record (and the owner of an existing account is told), so the error
    is raised after the transaction commits."""
    registrations_open()
    with transaction.atomic():
        request, problem = _submit(
            cleaned=cleaned, documents=documents, info=info, base_url=base_url
        )
    if problem:
        raise ApplicationError(problem[1], code=problem[0])
    return request


def _submit(*, cleaned: dict, documents: list, info, base_url: str):
    config = selectors.current_config()
    settings = config.registration
    checked = registration.check(cleaned, settings)
    if checked.errors:
        raise ApplicationError(
            _("Some fields are not valid."),
            code=CoreErrorCode.INVALID,
            extra={"fields": _field_errors(checked.errors)},
        )
    if checked.login and User.objects.filter(username__iexact=checked.login).exists():
        raise _login_taken()
    request = RegistrationRequest.objects.create(
        flow=str(settings.flow),
        email=checked.email,
        phone=checked.phone,
        login=checked.login,
        details=checked.details,
        accepted_documents=[d.pk for d in documents],
        proof=checked.proof,
        language=recipient_language(translation.get_language()),
        ip=info.ip if info and info.ip != "unknown" else None,
        status=RegistrationRequest.Status.AWAITING_REVIEW
        if settings.verification == Verification.STAFF_REVIEW
        else RegistrationRequest.Status.RECEIVED,
    )
    if settings.verification == Verification.STAFF_REVIEW or settings.verify_in_background:
        _message(checked.email, "registration_received", portal=config.branding.portal_name)
        if settings.verify_in_background:
            queue_after_commit(
                tasks.registration_verify,
                run_here_if_broker_down=True,
                request_id=request.pk,
                base_url=base_url,
            )
        return request, None
    problem = _verify(request, base_url=base_url, synchronous=True)
    return request, problem


def _verify(request: RegistrationRequest, *, base_url: str, synchronous: bool) -> tuple | None:
    with _writing_to(request.language):
        return _verify_in_language(request, base_url=base_url, synchronous=synchronous)


def _verify_in_language(
    request: RegistrationRequest, *, base_url: str, synchronous: bool
) -> tuple | None:
    config = selectors.current_config()
    result = registration.match(request.proof, config.registration)
    problem = None
    if result.refusal:
        problem = (result.refusal, REFUSALS[result.refusal]())
    elif not result.customer_ids:
        problem = (IdentityErrorCode.NOT_RECOGNISED, not_recognised_message())
    elif result.already_registered:
        owner = registration.owner_email(list(result.customer_ids))
        if owner:
            _message(  # the applicant's language: the owner's is not known from the address
                owner, "registration_attempt_on_existing", portal=config.branding.portal_name
            )
        problem = (
            IdentityErrorCode.ALREADY_REGISTERED,
            _(
                "An account already exists for this customer. Use the login "
                "reminder, or contact the office."
            ),
        )
    if problem:
        request.status = RegistrationRequest.Status.NOT_RECOGNISED
        request.reason = problem[0]
        request.save(update_fields=["status", "reason", "updated_at"])
        if not synchronous:
            _message(request.email, "registration_not_verified", reason=problem[1])
        return problem
    request.matched_customers = list(result.customer_ids)
    _create_account(request, result, base_url=base_url)
    return None


def _login_for(typed: str, symbol: str, config) -> str:
    """The account's login: what the applicant chose; else the customer symbol where the tenant
    accepts symbols as logins (the e-mail promises it); else the PESEL alias or NIP they typed."""
    if typed and not typed.startswith("pesel:"):
        return typed
    if symbol and LoginIdentifier.CUSTOMER_SYMBOL in config.login_identifiers:
        return symbol
    return typed or symbol


def _create_account(request: RegistrationRequest, result, *, base_url: str) -> User:
    config = selectors.current_config()
    login = _login_for(request.login, result.symbol, config)
    user = services.user_create(
        login=login,
        password=None,
        email=request.email,
        customer_symbol=result.symbol if login == result.symbol else "",
        first_name=result.name[:150],
    )
    user.phone = request.phone
    user.language = recipient_language(request.language)
    user.save(update_fields=["phone", "language"])
    registration.attach(list(request.matched_customers), user)
    for doc_id in request.accepted_documents:
        DocumentAcceptance.objects.get_or_create(
            user=user,
            document_id=doc_id,
            defaults={"ip": request.ip, "channel": ConsentChannel.REGISTRATION},
        )
    if config.registration.gdpr_consent:  # the form would not go without it
        services.consent_given_at_registration(user=user, ip=request.ip)
    request.user = user
    credentials.deliver(request=request, user=user, config=config, base_url=base_url)
    request.save()
    return user


@transaction.atomic
def registration_verify(*, request_id: int, base_url: str) -> None:
    """The background verification (flows that say "we will let you know by e-mail")."""
    request = (
        RegistrationRequest.objects.select_for_update()
        .filter(pk=request_id, status=RegistrationRequest.Status.RECEIVED)
        .first()
    )
    if request is not None:
        _verify(request, base_url=base_url, synchronous=False)


@transaction.atomic
def registration_activate(*, token: str) -> User:
    """The activation link: the account opens and a one-time password is e-mailed; the user sets
    their own password at the first login."""
    user = services.token_consume(token=token, purpose=OneTimeToken.Purpose.ACTIVATION)
    with _writing_to(user.language):
        return _activate(user)


def _activate(user: User) -> User:
    code = services.temporary_password()
    config = selectors.current_config()
    if config.registration.credentials == CredentialDelivery.THREE_EMAILS:
        # Second e-mail: the login and password; the account opens with the third (a job).
        user.set_password(code)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        shown = user.customer_symbol or user.get_username()
        _message(user.email, "registration_email_confirmed", login=shown, code=code)

        queue_after_commit(
            tasks.registration_open_account, run_here_if_broker_down=True, user_id=user.pk
        )
        return user
    user.is_active = True
    user.set_password(code)
    user.must_change_password = True
    user.save(update_fields=["is_active", "password", "must_change_password"])
    RegistrationRequest.objects.filter(user=user).update(
        status=RegistrationRequest.Status.COMPLETED
    )
    shown = user.customer_symbol or (
        user.get_username() if not user.get_username().startswith("pesel:") else "PESEL"
    )
    _message(
        user.email,
        "registration_one_time_password",
        portal=config.branding.portal_name,
        login=shown,
        code=code,
    )
    return user


def review_match(request: RegistrationRequest):
    """The customer record a request names, for the office to decide on: found by its
    identifiers alone, and whether the name typed differs from the record's (staff see both and
    decide; the name is a hint for them, not a refusal)."""
    config = selectors.current_config()
    proof = {k: v for k, v in request.proof.items() if k != "full_name"}
    result = registration.match(proof, config.registration)
    typed = request.proof.get("full_name", "")
    fold = lambda text: " ".join(text.split()).casefold()  # noqa: E731
    return result, bool(result.customer_ids and typed and fold(typed) != fold(result.name))


@transaction.atomic
def registration_review(
    *, request_id: int, approve: bool, actor: User, reason: str = "", base_url: str
) -> RegistrationRequest:
    """Staff decide an application that waits for the office (flow A)."""
    request = (
        RegistrationRequest.objects.select_for_update()
        .filter(pk=request_id, status=RegistrationRequest.Status.AWAITING_REVIEW)
        .first()
    )
    if request is None:
        raise ApplicationError(
            _("This request has already been decided."),
            code=CoreErrorCode.ALREADY_DECIDED,
            status=409,
        )
    request.decided_by = actor.get_username()
    if not approve:
        if not reason.strip():
            raise ApplicationError(_("Please give the reason."), code=CoreErrorCode.REASON_REQUIRED)
        request.status, request.reason = RegistrationRequest.Status.REJECTED, reason.strip()
        request.save()
        with _writing_to(request.language):
            _message(request.email, "registration_rejected", reason=reason.strip())
        return request
    result, _name_differs = review_match(request)
    if not result.customer_ids or result.already_registered:
        raise ApplicationError(
            _("No customer without an account matches this request."),
            code=IdentityErrorCode.NOT_RECOGNISED,
        )
    request.matched_customers = list(result.customer_ids)
    with _writing_to(request.language):
        _create_account(request, result, base_url=base_url)
    return request


@transaction.atomic
def account_create_in_person(
    *, symbol: str, login: str = "", email: str = "", phone: str = "", actor: User
):
    """Staff open an account at the office (flow D) for the customer with ``symbol``: the login
    (the symbol unless another is given) and a first-login password, returned once for the
    credentials letter; the user sets their own password at the first login."""
    config = selectors.current_config()
    result = registration.match({"symbol": symbol.strip().upper()}, config.registration)
    if not result.customer_ids:
        raise ApplicationError(
            _("No customer has this symbol."),
            code=IdentityErrorCode.NOT_RECOGNISED,
            extra={
                "fields": _field_errors(
                    {
                        "symbol": [
                            (IdentityErrorCode.NOT_RECOGNISED, _("No customer has this symbol."))
                        ]
                    }
                )
            },
        )
    if result.already_registered:
        raise ApplicationError(
            _(
                "An account already exists for this customer. Issue a new first-login password "
                "instead."
            ),
            code=IdentityErrorCode.ALREADY_REGISTERED,
        )
    login = (login or result.symbol).strip()
    if User.objects.filter(username__iexact=login).exists():
        raise _login_taken()
    password = services.temporary_password()
    user = services.user_create(
        login=login,
        password=password,
        email=email.strip(),
        first_name=result.name[:150],
        customer_symbol=result.symbol if login == result.symbol else "",
        must_change_password=True,
    )
    if phone:
        user.phone = phone.strip()
        user.save(update_fields=["phone"])
    registration.attach(list(result.customer_ids), user)
    RegistrationRequest.objects.create(
        flow=str(config.registration.flow),
        status=RegistrationRequest.Status.COMPLETED,
        email=user.email or "-@-",
        login=login,
        details={"symbol": result.symbol},
        matched_customers=list(result.customer_ids),
        user=user,
        decided_by=actor.get_username(),
    )
    services.audit(
        AuthEvent.Kind.ACCOUNT_CREATED_IN_PERSON, user=user, login=login, actor=actor.get_username()
    )
    return user, password


@transaction.atomic
def first_login_password_reissue(*, user: User, actor: User) -> str:
    """A new first-login password for a customer who lost theirs (given at the office)."""
    password = services.temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])

    ApiToken.objects.filter(user=user).delete()
    LoginLock.objects.filter(key=f"user:{user.pk}").delete()
    services.audit(
        AuthEvent.Kind.FIRST_LOGIN_PASSWORD_ISSUED,
        user=user,
        login=user.get_username(),
        actor=actor.get_username(),
    )
    return password


@transaction.atomic
def registration_open_account(*, user_id: int) -> None:
    """The third e-mail of the three-e-mail flow: the account is active from now on."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=False).first()
    if user is None:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    RegistrationRequest.objects.filter(user=user).update(
        status=RegistrationRequest.Status.COMPLETED
    )
    config = selectors.current_config()
    with _writing_to(user.language):
        _message(user.email, "registration_account_open", portal=config.branding.portal_name)


@transaction.atomic
def credentials_resend(*, user: User, actor: User, base_url: str) -> None:
    """The office sends the first credentials again (the link expired or the mail was lost),
    the tenant's way, for an account opened by registration and never used; links sent before
    stop working. Audited with the clerk."""
    request = RegistrationRequest.objects.filter(user=user).order_by("-created_at").first()
    if request is None or user.last_login is not None or not user.email:
        raise ApplicationError(
            _(
                "This account has been used or has no e-mail address: issue a new first-login "
                "password instead."
            ),
            code=CoreErrorCode.NOT_ALLOWED,
            status=409,
        )
    OneTimeToken.objects.filter(
        user=user,
        used_at__isnull=True,
        purpose__in=[OneTimeToken.Purpose.ACTIVATION, OneTimeToken.Purpose.SET_PASSWORD],
    ).delete()
    request.email = user.email
    with _writing_to(user.language):
        credentials.deliver(
            request=request, user=user, config=selectors.current_config(), base_url=base_url
        )
    request.save(update_fields=["email", "status"])
    services.audit(
        AuthEvent.Kind.CREDENTIALS_RESENT,
        user=user,
        login=user.get_username(),
        actor=actor.get_username(),
    )
