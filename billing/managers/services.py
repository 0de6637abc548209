"""Writes of managers' applications: submit, approve (company, account, grants, link), reject."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.models import ManagerApplication, ManagerCompany, ManagerMembership
from billing.services import grant_create
from core.errors import ApplicationError, CoreErrorCode
from core.outbox.services import email_enqueue, local_time, recipient_language
from identity.errors import IdentityErrorCode
from identity.models import OneTimeToken, User
from identity.registration.services import registrations_open
from identity.services import token_issue, user_create


def _message(to: str, name: str, **values) -> None:
    """The message ``name`` (templates/email/messages/) in the active language: callers switch
    to the applicant's."""
    email_enqueue(to=to, template=name, language=translation.get_language(), context=values)


@transaction.atomic
def application_submit(*, data: dict, language: str) -> ManagerApplication:
    """A manager's application from the public form; the applicant is told by e-mail in the
    language they wrote in."""
    registrations_open()
    application = ManagerApplication.objects.create(**data, language=recipient_language(language))
    with translation.override(recipient_language(application.language)):
        _message(application.email, "manager_application_received")
    return application


@transaction.atomic
def application_approve(
    *,
    application: ManagerApplication,
    premises_ids: list[int],
    valid_to,
    actor: User,
    base_url: str,
) -> ManagerCompany:
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
        actor=actor,
    )
    token, row = token_issue(user=user, purpose=OneTimeToken.Purpose.SET_PASSWORD, hours=72)
    with translation.override(recipient_language(application.language)):
        _message(
            application.email,
            "manager_application_approved",
            login=user.shown_login,
            until=local_time(row.expires_at),
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
def application_reject(*, application: ManagerApplication, reason: str, actor: User) -> None:
    _ensure_pending(application)
    if not reason.strip():
        raise ApplicationError(_("Please give the reason."), code=CoreErrorCode.REASON_REQUIRED)
    application.status, application.reason = ManagerApplication.Status.REJECTED, reason.strip()
    application.decided_by = actor.get_username()
    application.save()
    with translation.override(recipient_language(application.language)):
        _message(application.email, "manager_application_rejected", reason=application.reason)
