"""kill -9 of `chengnuo serve` takes its render workers and the resource tracker with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from forms.catalogue import Catalogue
from forms.submission import LetterDraft
from tests.api.conftest import submission_for
from tests.processes import Child, children, still_alive_after

TOKEN = "crash-service-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _served(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "CHENGNUO_DATA_DIR": str(tmp_path / "data"),
        "CHENGNUO_SERVICE_TOKEN": TOKEN,
        "CHENGNUO_RENDER_WORKERS": "2",
        "CHENGNUO_DEADLINE_INTERVAL": "0",
    }
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "chengnuo", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)


def test_render_workers_and_their_tracker_die_with_the_server(catalogue: Catalogue, tmp_path: Path) -> None:
    port = _free_port()
    server = _served(tmp_path, port)
    left: list[Child] = []
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(f"{url}/healthz", timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        submission = submission_for(catalogue.items["SFJ-001"])
        draft = LetterDraft.model_validate(submission.model_dump(exclude={"signature"})).model_dump(mode="json")
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:
            assert http.post("/api/previews", json=draft).status_code == 200  # the pool has workers now
        left = children(server.pid)
        assert any(child.render_worker for child in left), (left, (tmp_path / "serve.log").read_text())
        assert any(child.resource_tracker for child in left), left

        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        survivors = still_alive_after([child.pid for child in left], 5)
        assert not survivors, [child for child in left if child.pid in survivors]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in still_alive_after([child.pid for child in left], 0):  # they would outlive the run
            os.kill(pid, signal.SIGKILL)


def test_a_worker_whose_server_died_before_it_started_exits_at_once() -> None:
    # started by this test, it is told its server was another process: that one is gone already
    script = "from api.lifeline import die_with_parent; die_with_parent(1); print('still here')"
    started = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (started.returncode, started.stdout, started.stderr) == (1, "", "")  # no traceback: it chose to go
