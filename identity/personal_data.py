"""What identity holds of a person (core.personal_data): the account, its security records and
the documents accepted. Declared from IdentityConfig.ready()."""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.personal_data import (
    CLAIMS_6Y,
    CONSENT_PROOF,
    SECURITY_LOG_1Y,
    UNCONFIRMED_30D,
    WHILE_CUSTOMER,
    Basis,
    Category,
    Erasure,
    Holding,
    Mention,
    Retention,
    declare,
    entitle,
    register_addresses,
    register_anonymiser,
    register_ended,
)
from identity import models

SERVE_ACCOUNT = _("running the customer's online account")
SECURE_ACCOUNT = _("securing the account (authentication, abuse prevention)")


def register() -> None:
    def account(model, purpose=SECURE_ACCOUNT, **kw):
        kw.setdefault("categories", (Category.ACCOUNT,))
        kw.setdefault("basis", Basis.CONTRACT)
        kw.setdefault("retention", WHILE_CUSTOMER)
        kw.setdefault("erasure", Erasure.DELETE)
        return Holding(model, purpose=purpose, account=kw.pop("account", ("user",)), **kw)

    declare(
        account(
            models.User,
            SERVE_ACCOUNT,
            categories=(Category.IDENTIFICATION, Category.CONTACT, Category.ACCOUNT),
            account=("id",),
            erasure=Erasure.ANONYMISE,
            anonymise=(
                "username",
                "first_name",
                "last_name",
                "email",
                "phone",
                "pending_email",
                "customer_symbol",
                "password",
            ),
            secret=("password",),
            exported=_login_as_typed,
        ),
        account(models.PasswordHistory, secret=("password",)),
        account(models.BackupCode, secret=("code_hash",)),
        account(models.BackupCodeDevice),
        account(models.SealedTOTPDevice, secret=("sealed_key",)),
        account(TOTPDevice, secret=("key",)),
        account(
            models.DataExport,
            _("giving the customer a copy of their data"),
            categories=(Category.ACTIVITY,),
            basis=Basis.LEGAL_OBLIGATION,
            retention=SECURITY_LOG_1Y,
            since="requested_at",
        ),
        account(
            models.ErasureRequest,
            _("proof of erasure requests and what was done"),
            categories=(Category.ACTIVITY,),
            basis=Basis.LEGAL_OBLIGATION,
            retention=CLAIMS_6Y,
            since="requested_at",
            erasure=Erasure.KEEP,
        ),
        account(StaticDevice),
        account(StaticToken, account=("device__user",), secret=("token",)),
        account(models.OneTimeToken, secret=("token_hash",)),
        account(
            models.LoginLock,
            categories=(Category.ACCOUNT,),
            basis=Basis.LEGITIMATE_INTEREST,
            retention=SECURITY_LOG_1Y,
            since="last_failure_at",
            account=(),
            # "user:<id>" names the account; a login typed that matches none names no one
            where=lambda customer_ids, account_id: Q(key=f"user:{account_id}"),
        ),
        account(models.ApiToken, secret=("key_hash",)),
        account(
            models.CorrespondenceAddress,
            _("sending letters to the address the customer gave"),
            categories=(Category.CONTACT,),
        ),
        account(
            models.DocumentAcceptance,
            _("proof of the regulations and notices the customer accepted"),
            categories=(Category.CONSENTS,),
            basis=Basis.LEGAL_OBLIGATION,
            retention=CONSENT_PROOF,
            erasure=Erasure.KEEP,
            exported=_with_versions,
        ),
        account(
            models.ConsentRecord,
            _("proof of the consents the customer gave and withdrew (marketing, e-invoice)"),
            categories=(Category.CONSENTS,),
            basis=Basis.LEGAL_OBLIGATION,
            retention=CONSENT_PROOF,
            since="created_at",
            # Erasure ends them with the account: marketing consents must not outlive it.
            erasure=Erasure.DELETE,
            exported=_with_versions,
        ),
        account(
            models.AuthEvent,
            categories=(Category.ACTIVITY,),
            basis=Basis.LEGITIMATE_INTEREST,
            retention=SECURITY_LOG_1Y,
            since="created_at",
            erasure=Erasure.ANONYMISE,
            anonymise=("login", "ip", "user_agent"),
        ),
        account(
            models.RegistrationRequest,
            _("registering the customer's account"),
            categories=(Category.IDENTIFICATION, Category.CONTACT),
            retention=UNCONFIRMED_30D,
            since="created_at",
            # refused, not recognised, or an activation link never used: not one still waiting
            # for the office
            expires_only={
                "user__isnull": True,
                "status__in": ["rejected", "not_recognised", "activation_sent"],
            },
            secret=("proof",),
            exported=_login_as_typed,
        ),
        Holding(
            models.StaffAccess,
            categories=(Category.ACTIVITY,),
            purpose=_("accountability for staff looking at a customer's data"),
            basis=Basis.LEGAL_OBLIGATION,
            retention=Retention(
                "staff_access_2y",
                _("2 years"),
                _("art. 5(2) and art. 32 GDPR: accountability"),
                days=731,
            ),
            since="created_at",
            erasure=Erasure.KEEP,
            customer=("customer_id",),
            account=("subject",),
        ),
        Mention(models.StaffAccess, ("actor",)),
        Mention(models.ConsentRecord, ("actor",)),
        Mention(models.ApiKey, ("created_by",)),
    )
    entitle(
        {
            models.User: _("accounts (login, name, e-mail, phone, language)"),
            models.PasswordHistory: _("previous passwords (hashes only)"),
            models.BackupCode: _("backup codes (hashes only)"),
            models.BackupCodeDevice: _("second-factor devices"),
            models.SealedTOTPDevice: _("authenticator apps"),
            TOTPDevice: _("authenticator apps (earlier kind)"),
            StaticDevice: _("backup code sets"),
            StaticToken: _("backup codes (earlier kind)"),
            models.OneTimeToken: _("one-time links and passwords (hashes only)"),
            models.LoginLock: _("failed logins counted towards a lock"),
            models.ApiToken: _("sessions of the mobile and API access"),
            models.CorrespondenceAddress: _("addresses for letters"),
            models.DocumentAcceptance: _("documents accepted, with their versions"),
            models.ConsentRecord: _("consents given and withdrawn, with their versions"),
            models.AuthEvent: _("login and security log"),
            models.RegistrationRequest: _("registration requests"),
            models.StaffAccess: _("record of staff looking at a customer's data"),
            models.DataExport: _("copies of own data asked for"),
            models.ErasureRequest: _("requests to erase data"),
        }
    )
    register_anonymiser(models.User, _anonymise_accounts)
    register_addresses(_account_addresses)
    register_ended(_accounts_erased_before)


def _accounts_erased_before(day):
    """Accounts whose erasure was carried out before ``day``: their proofs of consent run out
    the years after it (core.personal_data.CONSENT_PROOF)."""
    bound = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    done = models.ErasureRequest.objects.filter(
        status=models.ErasureRequest.Status.DONE, done_at__lt=bound, user__isnull=False
    )
    return list(done.values_list("user_id", flat=True)), []


def _account_addresses(customer_ids, account_id):
    if account_id is None:
        return []
    user = models.User.objects.filter(pk=account_id).values("email", "pending_email", "phone")
    return [value for row in user for value in row.values()]


def _anonymise_accounts(rows) -> int:
    from identity.services.erasure import anonymise_accounts  # noqa: PLC0415 - services load after the registry

    return anonymise_accounts(rows)


def _with_versions(row: dict) -> dict:
    """An acceptance or a consent names documents by id: the copy says which document and which
    version of it, as its owner saw them."""
    out = dict(row)
    for name in ("document_id", "text_id", "privacy_notice_id"):
        if row.get(name):
            found = models.Document.objects.filter(pk=row[name]).values("kind", "version").first()
            if found:
                stem = name.removesuffix("_id")
                out[f"{stem}_kind"], out[f"{stem}_version"] = found["kind"], found["version"]
    return out


def _login_as_typed(row: dict) -> dict:
    """A login by PESEL is stored as a keyed hash of it: the copy shows what its owner types
    (their customer symbol, or that it is their PESEL), never the hash."""
    for name in ("username", "login"):
        if str(row.get(name, "")).startswith("pesel:"):
            row = {**row, name: row.get("customer_symbol") or "PESEL"}
    return row
