"""What the API process carries: Telegram's types only when it serves Telegram."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_api_alone_does_not_load_aiogram() -> None:
    """aiogram's types cost the server some 120 MB, which made the login bench's 600 MB tight."""
    probe = (
        "import sys, api.app, api.routes.signatures; print(sorted(m for m in sys.modules if m.startswith('aiogram')))"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_services_do_not_import_the_web_framework() -> None:
    """Services run in the API, in the CLI and in tools alike: FastAPI stays in the routes and pages."""
    probe = (
        "import importlib, pkgutil, sys, api.services\n"
        "for found in pkgutil.iter_modules(api.services.__path__):\n"
        "    importlib.import_module(f'api.services.{found.name}')\n"
        "import api.runtime, api.callers, api.errors\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fastapi'))"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
