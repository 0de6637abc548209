from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError


class IdentityErrorCode(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    ACCOUNT_LOCKED = "account_locked"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"
    TERMS_ACCEPTANCE_REQUIRED = "terms_acceptance_required"
    WRONG_CURRENT_PASSWORD = "wrong_current_password"
    MISMATCH = "mismatch"
    PASSWORD_RULES = "password_rules"
    LINK_EXPIRED = "link_expired"
    LINK_USED = "link_used"
    UNKNOWN_DOCUMENT = "unknown_document"
    INVALID_OTP = "invalid_otp"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    TWO_FACTOR_ENROLMENT_REQUIRED = "two_factor_enrolment_required"
    LOGIN_TAKEN = "login_taken"
    NOT_RECOGNISED = "not_recognised"
    ALREADY_REGISTERED = "already_registered"
    CONTRACT_NOT_SIGNED = "contract_not_signed"
    REGISTRATION_CLOSED = "registration_closed"
    CAPTCHA = "captcha"
    INVALID_SYMBOL = "invalid_symbol"
    INVALID_PESEL = "invalid_pesel"
    INVALID_NIP = "invalid_nip"


class InvalidCredentials(ApplicationError):
    def __init__(self):
        super().__init__(
            str(_("The login or password is incorrect.")),
            code=IdentityErrorCode.INVALID_CREDENTIALS,
            status=401,
        )


class AccountLocked(ApplicationError):
    def __init__(self, message: str):
        super().__init__(message, code=IdentityErrorCode.ACCOUNT_LOCKED, status=423)


class LinkExpired(ApplicationError):
    def __init__(self):
        super().__init__(
            str(_("This link has expired. You can ask for a new one.")),
            code=IdentityErrorCode.LINK_EXPIRED,
            status=410,
        )


class LinkInvalid(LinkExpired):
    """A link no one was sent (mistyped, cut short or invented): told as not valid, not as
    expired; the API keeps the code ``link_expired`` of its contract."""

    def __init__(self):
        ApplicationError.__init__(
            self,
            str(
                _(
                    "This link is not valid. Check that you opened the whole link from the "
                    "e-mail, or ask for a new one."
                )
            ),
            code=IdentityErrorCode.LINK_EXPIRED,
            status=410,
        )


class LinkUsed(ApplicationError):
    def __init__(self):
        super().__init__(
            str(_("This link has already been used. You can ask for a new one.")),
            code=IdentityErrorCode.LINK_USED,
            status=410,
        )


class TwoFactorError(ApplicationError):
    """Why a second factor could not be set up or replaced."""

    @classmethod
    def reauthentication_required(cls):
        return cls(
            str(
                _(
                    "You already use an authenticator app. Confirm your login with its code "
                    "first; only then can you replace it."
                )
            ),
            code=IdentityErrorCode.REAUTHENTICATION_REQUIRED,
            status=403,
        )

    @classmethod
    def wrong_current_code(cls):
        message = str(_("The code of your current authenticator (or backup code) is not valid."))
        return cls(
            message,
            code=IdentityErrorCode.INVALID_OTP,
            extra={"fields": {"current_code": [message]}},
        )

    @classmethod
    def wrong_new_code(cls):
        message = str(_("The code is not valid. Check the time on your phone and try again."))
        return cls(
            message, code=IdentityErrorCode.INVALID_OTP, extra={"fields": {"code": [message]}}
        )
