"""The first administrator: on one machine its password goes to the terminal; on a shared store no
instance prints one into its log, and `chengnuo staff add` / `chengnuo staff password` make it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.runtime import Services
from tests.api.conftest import _postgres_schema_url
from tests.api.keyring import instance, platform_seal, shared_keys, started
from tests.cli import chengnuo
from tests.served import free_port

ONE_TIME = re.compile(r"one-time password (\S+)")


@pytest.fixture
def shared_store() -> Iterator[str]:
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    urls = _postgres_schema_url()
    yield next(urls)
    next(urls, None)


async def log_in(services: Services, username: str, password: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        return await client.post("/api/auth/token", json={"username": username, "password": password})


async def test_on_one_machine_the_first_run_makes_admin_and_shows_its_password_once(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'data' / 'chengnuo.db'}"
    with started(instance(tmp_path / "data", store)) as first:
        assert first.first_admin_password is not None and not first.admin_missing
        answer = await log_in(first, "admin", first.first_admin_password)
        assert answer.status_code == 200 and answer.json()["must_change_password"] is True
    with started(instance(tmp_path / "data", store)) as again:
        assert again.first_admin_password is None and not again.admin_missing


def test_serve_on_a_shared_store_prints_how_to_get_a_password_not_a_password(tmp_path: Path, shared_store: str) -> None:
    environment = {
        "PATH": "/usr/bin:/bin", "DATABASE_URL": shared_store, "CHENGNUO_DATA_DIR": str(tmp_path / "data"),
        "CHENGNUO_RENDER_WORKERS": "0", "CHENGNUO_DEADLINE_INTERVAL": "0",
    }  # fmt: skip
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "chengnuo", "serve", "--port", str(free_port())]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "Uvicorn running" not in log.read_text() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    printed = log.read_text()
    assert "chengnuo staff add admin --role admin" in printed, printed
    assert "one-time password:" not in printed and "First run" not in printed


async def test_on_a_shared_store_staff_add_makes_the_first_admin_and_staff_password_renews_it(
    tmp_path: Path, shared_store: str
) -> None:
    keys = shared_keys(platform_seal(tmp_path))
    settings = instance(tmp_path / "a", shared_store, **keys)
    with started(settings) as services:
        assert services.first_admin_password is None and services.admin_missing

    everywhere = {**keys, "DATABASE_URL": shared_store, "CHENGNUO_DATA_DIR": str(tmp_path / "cli")}
    added = chengnuo("staff", "add", "admin", "--role", "admin", **everywhere)
    assert added.returncode == 0, added.stderr
    match = ONE_TIME.search(added.stdout)
    assert match is not None, added.stdout
    first = match.group(1)

    with started(instance(tmp_path / "b", shared_store, **keys)) as services:
        assert not services.admin_missing and services.first_admin_password is None
        answer = await log_in(services, "admin", first)
        assert answer.status_code == 200 and answer.json()["must_change_password"] is True

        renewed = chengnuo("staff", "password", "admin", **everywhere)
        assert renewed.returncode == 0, renewed.stderr
        match = ONE_TIME.search(renewed.stdout)
        assert match is not None and match.group(1) != first, renewed.stdout
        assert (await log_in(services, "admin", first)).status_code == 401
        answer = await log_in(services, "admin", match.group(1))
        assert answer.status_code == 200 and answer.json()["must_change_password"] is True

    nobody = chengnuo("staff", "password", "nobody", **everywhere)
    assert nobody.returncode == 1 and "no account 'nobody'" in nobody.stderr
    another_session_key = {**everywhere, "CHENGNUO_SESSION_KEY": keys["CHENGNUO_PERSONAL_DATA_KEY"]}
    wrong = chengnuo("staff", "password", "admin", **another_session_key)
    assert wrong.returncode == 1 and "chengnuo: the session key" in wrong.stderr  # keys are checked here too
