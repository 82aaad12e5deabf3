"""`chengnuo serve --workers N`: N processes that all answer, the render workers shared out among
them, the polling bot in one of them only, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chengnuo.workers import Worker, render_share, shared_state_missing, take_number, telegram_here
from tests.processes import children, connections_to, still_alive_after
from tests.served import free_port

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


def test_the_polling_bot_runs_in_one_worker_only() -> None:
    three = [Worker(number, 3) for number in range(3)] + [Worker(None, 3)]
    assert [telegram_here(worker, webhook=False) for worker in three] == [True, False, False, False]
    assert telegram_here(Worker.alone(), webhook=False)
    # by webhook an update reaches whichever worker Telegram's connection lands on: all take them
    assert all(telegram_here(worker, webhook=True) for worker in three)


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
