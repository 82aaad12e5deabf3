"""The OpenAPI says every answer a client can get: the refusals every route shares are added once here.

Routes list their own refusals (404, 409, 422…); what any route may answer for reasons of the HTTP
layer is the same everywhere and would be repeated on each: a body that cannot be parsed (400) or
is too large (413), a missing or wrong token (401), a token without the right (403), another
method (405, with Allow). Every refusal is JSON (api/errors.py), also where the route's own answer
is a PDF, a page or a CSV.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import ErrorBody

METHODS = ("get", "put", "post", "delete", "patch")
SHARED: dict[str, str] = {
    "400": "The body cannot be parsed (not JSON, not UTF-8, broken multipart): `request.malformed`",
    "401": "No token, or a wrong, ended or expired one: `unauthorized`",
    "403": "The token's account may not do this: `forbidden` (or a more precise code)",
    "405": "This path takes other methods: `method_not_allowed`; the Allow header lists them",
    "413": "The body is larger than this address takes: `request.too_large`",
}
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorBody"}


def install(app: FastAPI) -> None:
    """Replace app.openapi with one that adds the shared refusals to every operation (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = with_shared_refusals(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_shared_refusals(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorBody", ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}"))
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if method in METHODS:
                _describe(operation)
    return document


def _describe(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    shared = ["405"]
    if "requestBody" in operation:
        shared += ["400", "413"]
    if operation.get("security"):
        shared += ["401", "403"]
    for status in shared:
        responses.setdefault(status, {"description": SHARED[status]})
    if "405" in responses:
        allow = {"description": "the methods this path takes", "schema": {"type": "string"}}
        responses["405"].setdefault("headers", {})["Allow"] = allow
    for status, answer in responses.items():
        if status.startswith(("4", "5")):  # refusals are JSON whatever the route's own answer is
            answer["content"] = {"application/json": {"schema": ERROR_SCHEMA}}
