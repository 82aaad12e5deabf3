"""The OpenAPI: whatever a client sends, the API never answers 5xx; every operation has examples."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import build_services, create_app
from api.config import ApiSettings

TOKEN = "test-service-token"
# schemathesis reads the schema when the module loads; its app lives in a folder of its own
_data_dir = Path(tempfile.mkdtemp(prefix="chengnuo-fuzz-"))
atexit.register(shutil.rmtree, _data_dir, True)
# with a bot token: without one, drawn signatures answer 503 by design (signature.unavailable)
_settings = ApiSettings(
    CHENGNUO_DATA_DIR=_data_dir,
    DATABASE_URL=None,
    CHENGNUO_SERVICE_TOKEN=TOKEN,
    CHENGNUO_RENDER_WORKERS=0,
    TELEGRAM_BOT_TOKEN="7000000001:AAH-fuzz",
)
app = create_app(_settings, build_services(_settings))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
METHODS = ("get", "put", "post", "delete", "patch")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error])


def test_every_operation_has_examples() -> None:
    """Each JSON request body and each 2xx JSON answer of every route, whoever wrote it."""
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            name = f"{method.upper()} {path} ({operation.get('operationId', '?')})"
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and not _has_example(body, components):
                missing.append(f"{name}: request body")
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {}).get("application/json")
                if str(status).startswith("2") and content is not None and not _has_example(content, components):
                    missing.append(f"{name}: {status} answer")
    assert not missing, "operations without examples:\n" + "\n".join(missing)


def _has_example(media: dict[str, Any], components: dict[str, Any]) -> bool:
    """An example on the media type, or on its schema (the model's, or every required field's)."""
    return "example" in media or "examples" in media or _exemplified(media.get("schema", {}), components, set())


def _exemplified(node: dict[str, Any], components: dict[str, Any], seen: set[str]) -> bool:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return name not in seen and _exemplified(components[name], components, seen | {name})
    if "example" in node or "examples" in node or "enum" in node or "const" in node:
        return True
    if node.get("type") == "array":
        return _exemplified(node.get("items", {}), components, seen)
    branches = [b for b in node.get("anyOf", node.get("oneOf", node.get("allOf", []))) if b.get("type") != "null"]
    if branches:
        return all(_exemplified(branch, components, seen) for branch in branches)
    properties: dict[str, Any] = node.get("properties", {})
    if not properties:
        return False  # a free-form object or a bare value says nothing of its own
    shown = {name for name, field in properties.items() if _exemplified(field, components, seen)}
    # every field a client must send or will always get, and at least one field in all
    return bool(shown) and set(node.get("required", ())) <= shown
