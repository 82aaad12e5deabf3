"""Schemathesis over the OpenAPI: whatever a client sends, the API never answers 5xx."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import build_services, create_app
from api.config import ApiSettings

TOKEN = "test-service-token"
# schemathesis reads the schema when the module loads; its app lives in a folder of its own
_data_dir = Path(tempfile.mkdtemp(prefix="chengnuo-fuzz-"))
atexit.register(shutil.rmtree, _data_dir, True)
_settings = ApiSettings(
    CHENGNUO_DATA_DIR=_data_dir, DATABASE_URL=None, CHENGNUO_SERVICE_TOKEN=TOKEN, CHENGNUO_RENDER_WORKERS=0
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_settings, build_services(_settings)))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error])
