"""`chengnuo serve --workers N`: N processes that all answer, the render workers shared out among
them, the bot polling in one of them at a time (through a rolling restart too), and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from api.config import ApiSettings
from chengnuo.workers import Worker, bot_leases, render_share, shared_state_missing, take_number
from forms.catalogue import load_catalogue
from tests.api.conftest import body, key, submission_for
from tests.bot.telegram_server import TelegramServer
from tests.processes import children, connections_to, still_alive_after
from tests.served import free_port, served
from tests.test_instances import ROOT, Shared, _burst

TOKEN = "workers-service-token"


def _serve(tmp_path: Path, port: int, workers: int, **env: str) -> subprocess.Popen[bytes]:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "CHENGNUO_DATA_DIR": str(tmp_path / "data"),
        "CHENGNUO_SERVICE_TOKEN": TOKEN,
        "CHENGNUO_RENDER_WORKERS": "2",
        "CHENGNUO_DEADLINE_INTERVAL": "0",
        **env,
    }
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "chengnuo", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)


def _workers_up(server: subprocess.Popen[bytes], url: str, count: int) -> list[int]:
    """The server's worker processes once `count` of them have started their app."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server ended"
        pids = [child.pid for child in children(server.pid) if "resource_tracker" not in child.command]
        try:
            if len(pids) == count and httpx.get(f"{url}/healthz", timeout=30).status_code == 200:
                return pids
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the workers did not start")


def test_two_workers_both_answer_and_stop_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    server = _serve(tmp_path, port, 2)
    url = f"http://127.0.0.1:{port}"
    workers: list[int] = []
    try:
        workers = _workers_up(server, url, 2)
        assert len(set(workers)) == 2
        # connections stay open until each worker holds one of them and answers on it
        clients: list[httpx.Client] = []
        deadline = time.monotonic() + 60
        while not all(connections_to(pid, port) for pid in workers):
            assert time.monotonic() < deadline, [connections_to(pid, port) for pid in workers]
            client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
            clients.append(client)
            assert client.get("/api/letters?name=明华").status_code == 200
        for client in clients:
            assert client.get("/healthz").status_code == 200  # every one of them, on both workers
            client.close()
        log = (tmp_path / "serve.log").read_text()
        assert {f"Started server process [{pid}]" in log for pid in workers} == {True}, log

        everyone = [server.pid, *workers, *(c.pid for pid in workers for c in children(pid))]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert not still_alive_after(everyone, 10)  # workers, their render workers and trackers too
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in still_alive_after(workers, 0):
            os.kill(pid, signal.SIGKILL)


def test_the_workers_take_numbers_the_first_free_ones(tmp_path: Path) -> None:
    first, second = take_number(tmp_path, 2), take_number(tmp_path, 2)
    assert (first.number, second.number) == (0, 1)
    assert take_number(tmp_path, 2).number is None  # a third while both live: no number
    assert first.hold is not None
    first.hold.close()  # the worker ended: its replacement takes its number back
    assert take_number(tmp_path, 2).number == 0


@pytest.mark.parametrize(
    ("total", "count", "shares"),
    [
        (2, 1, [2]),
        (2, 2, [1, 1]),
        (4, 2, [2, 2]),
        (3, 2, [2, 1]),  # the machine runs 3 in all
        (2, 4, [1, 1, 1, 1]),  # never none: a server process without one could not render
        (0, 2, [0, 0]),  # 0: each renders in a thread of its own
    ],
)
def test_the_render_workers_are_the_machines_shared_out(total: int, count: int, shares: list[int]) -> None:
    assert [render_share(total, Worker(number, count)) for number in range(count)] == shares
    assert render_share(total, Worker(None, count)) == (max(1, total // count) if total else 0)


def test_the_bot_takes_turns_by_redis_or_by_a_lock_file_on_one_machine(tmp_path: Path) -> None:
    three = [Worker(number, 3) for number in range(3)] + [Worker(None, 3)]  # the last: a SIGHUP replacement
    assert {bot_leases(worker, tmp_path, redis=False) for worker in three} == {tmp_path}
    assert {bot_leases(worker, tmp_path, redis=True) for worker in three} == {None}  # Redis's leases
    assert bot_leases(Worker.alone(), tmp_path, redis=False) is None  # one process: nobody to take turns with


def test_polling_and_delivery_go_on_through_a_rolling_restart(tmp_path: Path) -> None:
    """Two workers without Redis, long polling a fake Telegram: one polls at a time, and after uvicorn's
    SIGHUP (each replacement started before the old worker ends, so it finds every number taken)
    the new workers poll, and deliver what the window's moves leave in the outbox."""
    telegram = TelegramServer()
    port = free_port()
    with served(telegram.app()) as telegram_url:
        bot = {"TELEGRAM_BOT_TOKEN": "123456:workers-test", "TELEGRAM_API_URL": f"{telegram_url}/w"}
        server = _serve(tmp_path, port, 2, CHENGNUO_RENDER_WORKERS="0", **bot)
        url = f"http://127.0.0.1:{port}"
        first: list[int] = []
        try:
            first = _workers_up(server, url, 2)
            _until(lambda: telegram.called("w", "getUpdates"), "polling")
            server.send_signal(signal.SIGHUP)
            _until(lambda: not still_alive_after(first, 0), "the old workers ended", seconds=120)
            polls = len([call for call in telegram.calls if call.method == "getupdates"])
            _until(lambda: len([c for c in telegram.calls if c.method == "getupdates"]) > polls + 2, "polling again")

            item = load_catalogue(ROOT / "forms" / "catalogue").items["JTJ-002"]
            made = httpx.post(f"{url}/api/letters", json=body(submission_for(item)), timeout=120,
                              headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": key()})  # fmt: skip
            assert made.status_code == 201, made.text
            # the server's own store: SQLite in its data directory, whatever DATABASE_URL this test run has
            store = ApiSettings(CHENGNUO_DATA_DIR=tmp_path / "data", DATABASE_URL="").store_url
            assert store.startswith("sqlite:///"), store
            chats = [870000001, 870000002]
            _burst(Shared(store, {}), made.json()["number"], chats)
            _until(lambda: {call.chat for call in telegram.sent()} >= set(chats), "delivered after the restart")
            assert telegram.conflicts == [], "one poller at a time"
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            for pid in still_alive_after(first, 0):
                os.kill(pid, signal.SIGKILL)


def _until(done: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"not in {seconds}s: {what}"
        time.sleep(0.1)


def test_pushed_channels_under_several_workers_need_redis() -> None:
    assert shared_state_missing(1, redis=False, pushed=["WeChat"]) is None
    assert shared_state_missing(2, redis=True, pushed=["WeChat"]) is None
    assert shared_state_missing(2, redis=False, pushed=[]) is None  # the polling bot alone: worker 0
    refused = shared_state_missing(2, redis=False, pushed=["Telegram's webhook", "WeChat"])
    assert refused is not None and "REDIS_URL" in refused


def test_serve_refuses_wechat_under_two_workers_without_redis(tmp_path: Path) -> None:
    port = free_port()
    wechat = {"WECHAT_APP_ID": "wx0000000000000000", "WECHAT_APP_SECRET": "s" * 32, "WECHAT_TOKEN": "token"}
    server = _serve(tmp_path, port, 2, **wechat)
    assert server.wait(timeout=120) == 2
    assert "needs REDIS_URL" in (tmp_path / "serve.log").read_text()
