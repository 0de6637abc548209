"""The import's entities and columns in the OpenAPI document (a drf-spectacular post-processing
hook: the entities are registered by the apps, so the text is made when the document is)."""

from __future__ import annotations

from billing.importing import docs


def import_columns(result, generator, request, public):
    operation = result.get("paths", {}).get("/api/v1/import/{entity}", {}).get("post")
    if operation is not None:
        operation["description"] = (
            operation.get("description", "") + "\n\n" + docs.openapi_description()
        ).strip()
    return result
