"""Log filters: the tenant in every line, and no PESEL in any line."""

import logging
import re

# An 11-digit run is how a PESEL looks; it never reaches a log line unmasked.
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")


def mask_pesel(text: str) -> str:
    return _ELEVEN_DIGITS.sub(lambda m: m.group(0)[:2] + "*" * 9, text)


class TenantContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            from django.db import connection

            record.tenant = getattr(connection, "schema_name", "-") or "-"
        except Exception:  # noqa: BLE001 - logging must never fail
            record.tenant = "-"
        message = record.getMessage()
        masked = mask_pesel(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
