"""Every code the metering app raises (API.md: ``outside_reading_window``, ``lower_than_previous``,
``implausible``)."""

from enum import StrEnum


class MeteringErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    READINGS_NOT_OFFERED = "readings_not_offered"
    METER_REMOVED = "meter_removed"
    UNKNOWN_REGISTER = "unknown_register"
    REGISTER_REQUIRED = "register_required"
    OUTSIDE_READING_WINDOW = "outside_reading_window"
    LOWER_THAN_PREVIOUS = "lower_than_previous"
    IMPLAUSIBLE = "implausible"
    IN_THE_FUTURE = "in_the_future"
    BEFORE_INSTALLATION = "before_installation"
    ALREADY_SUBMITTED = "already_submitted"
    INVALID_VALUE = "invalid_value"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_NOT_AN_IMAGE = "photo_not_an_image"
    ALREADY_REVIEWED = "already_reviewed"
    REASON_REQUIRED = "reason_required"
    INVALID_PERIOD = "invalid_period"
    NOT_REPLACEABLE = "not_replaceable"
