"""No PESEL in any log line of any logger, and the tenant in every line of ours.

The masking sits in the log record factory, so it applies to every record made in the process
before any handler, filter or formatter sees it: the application's loggers, Django's request
log (runserver), gunicorn's access and error logs, Celery's and any library's.
"""

import logging
import re

from django.db import connection

# An 11-digit run is how a PESEL looks; it never reaches a log line unmasked.
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")


def mask_pesel(text: str) -> str:
    return _ELEVEN_DIGITS.sub(lambda m: m.group(0)[:2] + "*" * 9, text)


def _masked_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken record is logging's own problem to report
        return record
    masked = mask_pesel(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        # Tracebacks quote values (a failed query's parameters): format and mask them now.
        record.exc_text = mask_pesel(logging.Formatter().formatException(record.exc_info))
    return record


def install_pesel_masking() -> None:
    """Mask PESEL-shaped numbers in every log record this process makes (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_pesel", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return _masked_record(previous(*args, **kwargs))

    factory.masks_pesel = True  # type: ignore[attr-defined]  # how a second call knows
    logging.setLogRecordFactory(factory)


class TenantContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.tenant = getattr(connection, "schema_name", "-") or "-"
        except Exception:  # noqa: BLE001 - logging must never fail
            record.tenant = "-"
        message = record.getMessage()
        masked = mask_pesel(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _masked(value):
    if isinstance(value, str):
        return mask_pesel(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def sentry_before_send(event: dict, hint: dict) -> dict:
    """Sentry events and breadcrumbs leave the process with every PESEL-shaped number masked
    (messages, exception values, request data, tags), like every log line."""
    return _masked(event)


def sentry_before_breadcrumb(crumb: dict, hint: dict) -> dict:
    return _masked(crumb)
