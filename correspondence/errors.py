"""Every code the correspondence app raises."""

from enum import StrEnum


class CorrespondenceErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    NOT_OFFERED = "not_offered"
    UNKNOWN_KIND = "unknown_kind"
    CUSTOMER_REQUIRED = "customer_required"
    TEXT_REQUIRED = "text_required"
    TEXT_TOO_LONG = "text_too_long"
    INVALID = "invalid"
    TOO_MANY_CASES = "too_many_cases"
    DUPLICATE_CASE = "duplicate_case"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_NOT_ALLOWED = "attachment_not_allowed"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    CASE_CLOSED = "case_closed"
    REOPEN_EXPIRED = "reopen_expired"
    ALREADY_RATED = "already_rated"
    NOT_ALL_PREMISES = "not_all_premises"
    NO_CHANGE = "no_change"
    CHANGE_ALREADY_APPLIED = "change_already_applied"
    NOT_STAFF = "not_staff"
