from enum import StrEnum


class TenantErrorCode(StrEnum):
    INVALID_SETTING = "invalid_setting"
    UNKNOWN_SETTING = "unknown_setting"
    SLUG_TAKEN = "slug_taken"
    INVALID_SLUG = "invalid_slug"
    UNKNOWN_PRESET = "unknown_preset"
