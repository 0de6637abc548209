"""The OpenAPI document's error responses: every operation says what its refusals look like
(``core.errors.error_body``: a code, a message, and the problems by field), so a client knows
the shape of a 400 before it meets one."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "required": ["code", "detail", "fields"],
    "properties": {
        "code": {"type": "string", "description": "A stable code (API.md), e.g. invalid"},
        "detail": {"type": "string", "description": "What is wrong, in the request's language"},
        "fields": {
            "type": "object",
            "description": "The problems of each field (empty when none is to blame)",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
                },
            },
        },
    },
}
REFUSALS = {
    "400": "The request is not valid (see fields)",
    "401": "Not authenticated, or the token or key is no longer valid",
    "403": "Not allowed for this account",
    "404": "Not found (or not this account's)",
    "429": "Too many requests; retry after the Retry-After header's seconds",
}


def error_responses(result, generator, request, public):
    """A drf-spectacular post-processing hook: the Error schema, and the refusals each
    operation may answer with where the view did not describe them itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in REFUSALS.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": reference}
                )
    return result
