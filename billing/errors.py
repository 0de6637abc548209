from enum import StrEnum


class BillingErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    ALREADY_ANSWERED = "already_answered"
    COMMENT_REQUIRED = "comment_required"
    EMAIL_REQUIRED = "email_required"
    NOT_ALLOWED = "not_allowed"
