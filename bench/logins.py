"""Logins under a flood: a clerk's lookups and the bot's submissions while outsiders try to log in.

    .venv/bin/python bench/logins.py [--flood 0 8 32] [--seconds 15] [--port 8766]

`chengnuo serve` runs in its own process over a fresh store: SQLite in a temporary directory, or
PostgreSQL in a schema of its own when DATABASE_URL is set; two render workers, the default
number of argon2 hashes at once (CHENGNUO_PASSWORD_HASHES). For each flood size N, another process
keeps N logins for unknown usernames in flight, each claiming another forwarded address through
the trusted proxy 127.0.0.1: many machines, so no limit per address slows them and every one costs
an argon2 check. Meanwhile one clerk looks letters up by number (a keep-alive connection, 10 ms
between lookups), the bot submits letters one after another (each rendered and sealed), and the
server's resident memory, its render workers' included, is sampled every 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from api.config import ApiSettings
from forms.catalogue import load_catalogue
from forms.languages import Lang
from forms.sample import sample_letter
from forms.submission import LetterSubmission, submission_hash

TOKEN = "bench-service-token"
ITEM = "SCJG-002"  # a two-page letter: the lightest render, so submissions measure the server, not fonts


def submission() -> bytes:
    """A signed letter as the bot sends it (tests/api/conftest.py's submission_for)."""
    item = load_catalogue().items[ITEM]
    letter = sample_letter(item, Lang.zh)
    assert letter.signature is not None
    data = letter.model_dump(include={"applicant", "agent", "answers", "supplement", "language", "notice_hash"})
    made = LetterSubmission(item_code=item.code, signature=letter.signature, **data)
    signature = made.signature.model_copy(update={"content_hash": submission_hash(made, item)})
    return made.model_copy(update={"signature": signature}).model_dump_json().encode()


# The flood, in a process of its own: its client work does not share this process's interpreter.


def flood(port: int, size: int, seconds: float, answers: Connection) -> None:
    """`size` logins in flight for `seconds`; sends back the count of each status."""
    answers.send(asyncio.run(_flood(port, size, seconds)))


async def _flood(port: int, size: int, seconds: float) -> Counter[int]:
    statuses: Counter[int] = Counter()
    ends_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=300) as http:

        async def one() -> None:
            while time.monotonic() < ends_at:
                address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
                credentials = {"username": f"nobody-{secrets.token_hex(6)}", "password": secrets.token_urlsafe(12)}
                try:
                    answer = await http.post("/api/auth/token", json=credentials, headers={"X-Forwarded-For": address})
                    statuses[answer.status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1  # no answer at all

        await asyncio.gather(*(one() for _ in range(size)))
    return statuses


# What the server's neighbours see meanwhile.


@dataclass
class Timings:
    milliseconds: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def row(self) -> str:
        if not self.milliseconds:
            return f"{'-':>8} {'-':>8} {0:>4}"
        ordered = sorted(self.milliseconds)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        return f"{statistics.median(ordered):>8.1f} {p99:>8.1f} {len(ordered):>4}"


def lookups(port: int, headers: dict[str, str], numbers: list[str], stop: threading.Event, into: Timings) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    index = 0
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("GET", f"/api/letters/{numbers[index % len(numbers)]}", headers=headers)
        answer = connection.getresponse()
        answer.read()
        into.milliseconds.append((time.perf_counter() - started) * 1000)
        into.statuses[answer.status] += 1
        index += 1
        time.sleep(0.01)


def submissions(port: int, body: bytes, stop: threading.Event, into: Timings) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    while not stop.is_set():
        headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": f"bench-{secrets.token_hex(8)}"}
        started = time.perf_counter()
        connection.request("POST", "/api/letters", body=body, headers={**headers, "Content-Type": "application/json"})
        answer = connection.getresponse()
        answer.read()
        into.milliseconds.append((time.perf_counter() - started) * 1000)
        into.statuses[answer.status] += 1


def resident_mib(root: int) -> float:
    """The resident memory of a process and all its descendants (the render workers)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            # a child belongs to the thread that started it: the pool starts workers from any thread
            children = [
                c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()
            ]
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(found.group(1)) if found else 0
        pending += [int(child) for child in children]
    return total / 1024


def peak_memory(root: int, stop: threading.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], resident_mib(root))
        time.sleep(0.01)


# Setting up: a store, the server, a clerk who has replaced their one-time password, some letters.


@contextmanager
def store_url() -> Iterator[tuple[str | None, str]]:
    """DATABASE_URL in a fresh schema (dropped afterwards), or None for SQLite; and the store's name."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None, "SQLite"
        return
    schema = f"bench_logins_{secrets.token_hex(4)}"
    admin = create_engine(ApiSettings(DATABASE_URL=url).store_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", "PostgreSQL"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def chengnuo(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "chengnuo", *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def clerk_token(port: int, env: dict[str, str]) -> dict[str, str]:
    """A clerk made as an administrator makes one, logged in, their one-time password replaced."""
    printed = chengnuo(env, "staff", "add", "bench.clerk", "--window", "市场监管窗口", "--department", "SCJG")
    one_time = re.search(r"one-time password (\S+)", printed)
    assert one_time is not None, printed
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        answer = http.post("/api/auth/token", json={"username": "bench.clerk", "password": one_time.group(1)})
        assert answer.status_code == 200, answer.text
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        new = {"current": one_time.group(1), "new": secrets.token_urlsafe(16)}
        assert http.post("/api/auth/password", json=new, headers=headers).status_code == 204
    return headers


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "chengnuo", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def file_letters(port: int, count: int) -> list[str]:
    """Letters for the clerk to look up, filed as the bot files them; their numbers."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    body, numbers = submission(), []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
        for _ in range(count):
            made = http.post("/api/letters", content=body, headers={**headers, "Idempotency-Key": secrets.token_hex(8)})
            assert made.status_code == 201, made.text
            numbers.append(json.loads(made.text)["number"])
    return numbers


def measure(port: int, pid: int, size: int, seconds: float, clerk: dict[str, str], numbers: list[str]) -> str:
    """One row of the table: the clerk's lookups and the submissions while `size` logins flood."""
    body = submission()
    mine, theirs = multiprocessing.get_context("spawn").Pipe(duplex=False)
    flooder = multiprocessing.get_context("spawn").Process(target=flood, args=(port, size, seconds, theirs))
    if size:
        flooder.start()
        time.sleep(1)  # every flooding login in flight
    stop, peak = threading.Event(), [resident_mib(pid)]
    looked, submitted = Timings(), Timings()
    threads = [
        threading.Thread(target=lookups, args=(port, clerk, numbers, stop, looked)),
        threading.Thread(target=submissions, args=(port, body, stop, submitted)),
        threading.Thread(target=peak_memory, args=(pid, stop, peak)),
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds - 1 if size else seconds)
    stop.set()
    for thread in threads:
        thread.join()
    logins: Counter[int] = mine.recv() if size else Counter()
    if size:
        flooder.join()
    errors = sum(n for s, n in (looked.statuses + submitted.statuses + logins).items() if s >= 500 or s == 0)
    answered = ", ".join(f"{n} × {s}" for s, n in sorted(logins.items())) or "-"
    return f"{size:>5} {looked.row()} {submitted.row()} {peak[0]:>8.0f} {errors:>4}  {answered}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood", type=int, nargs="+", default=[0, 8, 32])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-logins-") as data_dir, store_url() as (url, store):
        env = {
            **os.environ,
            "CHENGNUO_DATA_DIR": data_dir,
            "CHENGNUO_SERVICE_TOKEN": TOKEN,
            "CHENGNUO_RENDER_WORKERS": "2",
            "CHENGNUO_DEADLINE_INTERVAL": "0",
            "CHENGNUO_TRUSTED_PROXIES": "127.0.0.1",
        }
        env.pop("TELEGRAM_BOT_TOKEN", None)
        if url is None:
            env.pop("DATABASE_URL", None)
        else:
            env["DATABASE_URL"] = url
        server = serve(env, args.port)
        try:
            clerk = clerk_token(args.port, env)
            numbers = file_letters(args.port, 10)
            hashes = ApiSettings.model_validate(env).password_hashes
            print(f"{store}, `chengnuo serve` with 2 render workers, {hashes} argon2 hash(es) at once, "
                  f"{args.seconds:.0f} s per row, {os.cpu_count()} cores")  # fmt: skip
            print(f"{'':>5} {'lookup (ms)':^22} {'submission (ms)':^22}")
            print(f"{'flood':>5} {'p50':>8} {'p99':>8} {'n':>4} {'p50':>8} {'p99':>8} {'n':>4} "
                  f"{'RSS MiB':>8} {'5xx':>4}  logins answered")  # fmt: skip
            for size in args.flood:
                print(measure(args.port, server.pid, size, args.seconds, clerk, numbers), flush=True)
                time.sleep(2)  # the last logins drain
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
