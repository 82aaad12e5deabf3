"""Query strings read into one pydantic model, validated in a single pass.

FastAPI validates each query parameter through its own machinery on every request, which for a
search with a dozen filters costs more than the indexed lookup behind it (bench/lookup.py). This
validates the query string with the model directly and still documents every parameter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def query_model(model: type[M]) -> tuple[Callable[[Request], Awaitable[M]], dict[str, Any]]:
    """A dependency giving the validated model, and the `openapi_extra` that documents its fields."""

    async def read(request: Request) -> M:
        try:
            return model.model_validate(dict(request.query_params))
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("query", *e["loc"])} for e in error.errors(include_url=False)]
            ) from None

    return read, {"parameters": _parameters(model)}


def _parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    parameters = []
    for name, field in _inlined(schema["properties"], definitions).items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in schema.get("required", ())}
        if "description" in field:
            parameter["description"] = field.pop("description")
        if "examples" in field:
            parameter["example"] = field.pop("examples")[0]
        field.pop("title", None)
        parameter["schema"] = field
        parameters.append(parameter)
    return parameters


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    """The schema with each $ref replaced by its definition: parameters stand alone."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inlined(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {key: _inlined(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(value, definitions) for value in node]
    return node
