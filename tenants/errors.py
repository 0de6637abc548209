from enum import StrEnum


class TenantErrorCode(StrEnum):
    INVALID_SETTING = "invalid_setting"
    UNKNOWN_SETTING = "unknown_setting"
    SLUG_TAKEN = "slug_taken"
    INVALID_SLUG = "invalid_slug"
    UNKNOWN_PRESET = "unknown_preset"
    SLUG_RESERVED = "slug_reserved"
    LINK_EXPIRED = "link_expired"
    LINK_USED = "link_used"
    INVALID_DOMAIN = "invalid_domain"
    DOMAIN_TAKEN = "domain_taken"
    CONFIRMATION_MISMATCH = "confirmation_mismatch"
    WRONG_STATUS = "wrong_status"
    EXPORT_FAILED = "export_failed"
    RESTORE_REFUSED = "restore_refused"
    NOTHING_TO_RESEND = "nothing_to_resend"
    INVALID_NIP = "invalid_nip"
    INVALID_REGON = "invalid_regon"
    INVALID_JSON = "invalid_json"
