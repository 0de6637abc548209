"""Every code the notifications app raises."""

from enum import StrEnum


class NotificationErrorCode(StrEnum):
    UNKNOWN_EVENT = "unknown_event"
    MANDATORY_NOTICE = "mandatory_notice"
    CHANNEL_NOT_OFFERED = "channel_not_offered"
    PHONE_REQUIRED = "phone_required"
    EMAIL_REQUIRED = "email_required"
    LINK_INVALID = "link_invalid"
    SMS_ACCOUNT_INVALID = "sms_account_invalid"
    SMS_PROVIDER_REFUSED = "sms_provider_refused"
    REPORT_REFUSED = "report_refused"
