"""The OpenAPI: whatever a client sends, as the bot, a clerk or an administrator, the API never answers
5xx nor anything its schema does not describe (status, content type, body, headers); every operation
has examples."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from api.app import build_services, create_app
from api.config import ApiSettings
from api.runtime import write_session
from api.services.auth import Role, issue_token
from api.store import Staff
from tests.api.staffing import make_staff

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
_services = build_services(_settings)
app = create_app(_settings, _services)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
METHODS = ("get", "put", "post", "delete", "patch")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    allow_header_conformance,
]
# a clerk of two departments and an administrator, each with a password of their own already
ACCOUNTS = {
    "clerk": make_staff(_services, departments=("SFJ", "SCJG"))[0],
    "admin": make_staff(_services, role=Role.admin)[0],
}


def _bearer(who: str) -> str:
    """The service token, or a fresh token of the account: a fuzzed logout must not end the others' run."""
    if who == "service":
        return TOKEN
    with write_session(_services) as session:
        staff = session.exec(select(Staff).where(Staff.username == ACCOUNTS[who])).one()
        return issue_token(session, staff, kind="bearer")[0]


@pytest.mark.parametrize("who", ["service", "clerk", "admin"])
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_described_and_none_is_a_server_error(case: schemathesis.Case, who: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {_bearer(who)}"}, checks=CHECKS)


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
