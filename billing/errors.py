from enum import StrEnum


class BillingErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID_CHANGE = "invalid_change"
    ALREADY_ANSWERED = "already_answered"
    COMMENT_REQUIRED = "comment_required"
    EMAIL_REQUIRED = "email_required"
    NOT_ALLOWED = "not_allowed"
    CUSTOMER_REQUIRED = "customer_required"
    TOO_LARGE = "too_large"
    ENCODING = "encoding"
    UNREADABLE_FILE = "unreadable_file"
    UNKNOWN_ENTITY = "unknown_entity"
    EMPTY_FILE = "empty_file"
    INVALID_PERIOD = "invalid_period"
    PREMISES_REQUIRED = "premises_required"
    INVALID_NIP = "invalid_nip"


class RowCode(StrEnum):
    """What is wrong with one row of an ERP file (an import job's ``errors[].code``)."""

    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_AREA = "invalid_area"
    INVALID_CHOICE = "invalid_choice"
    INVALID_DATE = "invalid_date"
    INVALID_EMAIL = "invalid_email"
    INVALID_HASH = "invalid_hash"
    INVALID_KSEF_NUMBER = "invalid_ksef_number"
    INVALID_NIP = "invalid_nip"
    INVALID_NUMBER = "invalid_number"
    INVALID_PESEL = "invalid_pesel"
    INVALID_POSTCODE = "invalid_postcode"
    INVALID_ROW = "invalid_row"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    UNKNOWN_COLUMN = "unknown_column"
    UNKNOWN_REFERENCE = "unknown_reference"
