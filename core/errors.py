"""One error vocabulary and one renderer for every API error.

Every error the API returns has the shape of API.md: ``{"code", "detail", "fields"}``, with
``detail`` in the request's language and a stable snake_case ``code``.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class CoreErrorCode(StrEnum):
    """Codes every app shares (each app's own are in its ``errors.py``)."""

    THROTTLED = "throttled"
    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    REASON_REQUIRED = "reason_required"
    ALREADY_DECIDED = "already_decided"


class ApplicationError(Exception):
    """A domain error raised by services; the API renders it with its code and status."""

    def __init__(
        self, message: str, *, code: str, extra: dict[str, Any] | None = None, status: int = 400
    ):
        super().__init__(message)
        self.message = message
        self.code = str(code)
        self.extra = extra or {}
        self.status = status


def invalid_fields(problems: dict[str, str], *, code: str) -> ApplicationError:
    """A 400 for a form's problems by field: the first one as the message, all of them under
    ``fields`` (API.md's error shape)."""
    return ApplicationError(
        str(next(iter(problems.values()))),
        code=code,
        extra={"fields": {name: [message] for name, message in problems.items()}},
    )


class Throttled(ApplicationError):
    """Too many requests in the current window (core.throttling): 429 with when to retry."""

    def __init__(self, retry_after: int):
        super().__init__(
            str(_("Too many attempts. Please wait a moment and try again.")),
            code=CoreErrorCode.THROTTLED,
            status=429,
            extra={"retry_after": retry_after},
        )


_STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    423: "account_locked",
    428: "precondition_required",
    429: "throttled",
}


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def _one_error(item: Any) -> dict:
    if isinstance(item, DjangoValidationError):
        return {"code": item.code or "invalid", "detail": str(item.messages[0])}
    if isinstance(item, dict | list):
        return {"code": "invalid", "detail": str(item)}
    return {"code": getattr(item, "code", None) or "invalid", "detail": str(item)}


def _field_errors(detail: Any) -> dict:
    """Field errors (DRF's nested detail or Django ValidationErrors) as
    ``{"field": [{"code", "detail"}]}``."""
    if isinstance(detail, dict):
        out = {}
        for name, value in detail.items():
            items = value if isinstance(value, list) else [value]
            out[name] = [_one_error(item) for item in items]
        return out
    return {}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error in the API.md shape; unknown errors become a plain
    500 body (the traceback goes to the log and Sentry, never to the client)."""
    if isinstance(exc, ApplicationError):
        fields = exc.extra.get("fields")
        body = error_body(exc.code, exc.message, _field_errors(fields) if fields else None)
        body.update(exc.extra.get("data") or {})  # what a client needs to act (a range, a date)
        headers = (
            {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else {}
        )
        return Response(body, status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        detail = (
            _("Some fields are not valid.")
            if fields
            else "; ".join(
                str(d) for d in (exc.detail if isinstance(exc.detail, list) else [exc.detail])
            )
        )
        return Response(error_body("invalid", detail, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        code = _STATUS_CODES.get(exc.status_code, "error")
        headers = {}
        wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
        if wait:
            headers["Retry-After"] = str(int(wait))
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return Response(
            error_body(code, _message_for(exc)), status=exc.status_code, headers=headers
        )
    logger.error("Unhandled API error", exc_info=exc)
    return Response(
        error_body("server_error", _("Something went wrong on our side. Please try again later.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _message_for(exc: exceptions.APIException) -> str:
    # DRF's messages are translated already, but we phrase the common ones ourselves so all
    # three languages read the same.
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return _("Please log in.")
    if isinstance(exc, exceptions.PermissionDenied):
        return _("You are not allowed to do this.")
    if isinstance(exc, exceptions.NotFound):
        return _("Not found.")
    if isinstance(exc, exceptions.Throttled):
        return _("Too many attempts. Please wait a moment and try again.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("This method is not allowed here.")
    return str(exc.detail)
