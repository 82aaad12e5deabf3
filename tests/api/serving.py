"""The API served by uvicorn on a real port, in a thread, for tests of real concurrency.

Clients are threads with their own connections. Linux routes all of 127.0.0.0/8 to the loopback,
so a client bound to 127.0.0.2 is another address than one on 127.0.0.1: the address a login limit
sees. The server trusts X-Forwarded-For from 127.0.0.1 only (CHENGNUO_TRUSTED_PROXIES); uvicorn's
own proxy handling is off, so what is believed is the app's setting alone.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from api.app import build_services, create_app
from api.config import ApiSettings
from api.passwords import Passwords
from api.runtime import Services
from tests.api.conftest import STORES, _postgres_schema_url, body, key, submission_for
from tests.served import free_port
from tests.served import served as served_app

SERVICE_TOKEN = "served-service-token"
PROXY = "127.0.0.1"
CHEAP_ARGON2 = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Served:
    """The running API: its address and its services."""

    url: str
    services: Services

    def client(self, address: str = PROXY, headers: dict[str, str] | None = None) -> httpx.Client:
        """A client of its own, connecting from `address` (any of 127.0.0.0/8)."""
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=self.url, transport=transport, headers=headers, timeout=120)

    def submit(self, code: str = "SFJ-001") -> str:
        """A letter filed as the bot files it; its number."""
        submission = body(submission_for(self.services.catalogue.items[code]))
        headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": key()}
        with self.client() as http:
            answer = http.post("/api/letters", json=submission, headers=headers)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["number"])


@contextmanager
def _serving(store: str, data_dir: Path, hasher: PasswordHasher | None) -> Iterator[Served]:
    port = free_port()
    urls = _postgres_schema_url() if store == "postgresql" else iter([None])
    settings = ApiSettings(
        CHENGNUO_DATA_DIR=data_dir,
        DATABASE_URL=next(urls),
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        CHENGNUO_SERVICE_TOKEN=SERVICE_TOKEN,
        CHENGNUO_RENDER_WORKERS=1,
        CHENGNUO_DEADLINE_INTERVAL=0,
        CHENGNUO_TRUSTED_PROXIES=PROXY,
        CHENGNUO_PASSWORD_HASHES=2,
    )
    services = build_services(settings)
    assert services.engine.dialect.name == store
    if hasher is not None:
        services = dataclasses.replace(services, passwords=Passwords(settings.password_hashes, hasher))
    with served_app(create_app(settings, services), port, proxy_headers=False) as url:
        yield Served(url=url, services=services)
    services.renderer.close()
    services.engine.dispose()
    next(urls, None)  # drops the PostgreSQL schema


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """On SQLite, and on PostgreSQL in a schema of its own when DATABASE_URL is set; argon2 as in production."""
    with _serving(request.param, tmp_path_factory.mktemp("served"), None) as running:
        yield running


@pytest.fixture(scope="module", params=STORES)
def served_cheaply(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """As `served`, with argon2 at 1 MiB and one pass: for counting tries, where the cost of a
    check does not matter (bench/logins.py and test_login_flood.py keep production's)."""
    with _serving(request.param, tmp_path_factory.mktemp("served"), CHEAP_ARGON2) as running:
        yield running


def unknown_username() -> str:
    return f"nobody-{secrets.token_hex(6)}"


def outsider() -> str:
    """A client address as a proxy forwards it, one of 16 million: no two tests share one."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def memory_mib(field: str) -> int:
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, the server's too."""
    found = re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert found is not None
    return int(found.group(1)) // 1024


def reset_peak_memory() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from VmRSS


class Flood:
    """`size` threads logging in for unknown usernames, each from a new forwarded address (many
    machines, as a botnet: no limit per address slows them), until the block ends."""

    def __init__(self, served: Served, size: int) -> None:
        self.served, self.size = served, size
        self.statuses: list[int] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._log_in, daemon=True) for _ in range(size)]

    def _log_in(self) -> None:
        with self.served.client() as http:
            while not self._stop.is_set():
                credentials = {"username": unknown_username(), "password": secrets.token_urlsafe(12)}
                answer = http.post("/api/auth/token", json=credentials, headers={"X-Forwarded-For": outsider()})
                self.statuses.append(answer.status_code)

    def __enter__(self) -> Flood:
        for thread in self._threads:
            thread.start()
        time.sleep(0.5)  # every thread has a login waiting or hashing
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
