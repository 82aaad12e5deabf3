"""Scale benchmark: sealed letters a second with one and with two `chengnuo serve` instances.

    DATABASE_URL=postgresql://… REDIS_URL=redis://… .venv/bin/python bench/scale.py [--seconds 30] [--clients 8]

Each instance is a real process on a data directory of its own, against one PostgreSQL schema and
one Redis, with the keys and seal given by setting, as two machines would run them (here both on
this machine, sharing its cores). Clients submit letters (each numbered, rendered and sealed before
the answer) for `--seconds`, spread over the instances; the figures are letters sealed a second and
the time of one submission. Every instance renders with `--render-workers` processes (default 2).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forms.catalogue import load_catalogue
from tests.api.conftest import _postgres_schema_url, body, key, submission_for
from tests.test_instances import ROOT, Shared, make_shared, serving

ITEMS = ("SFJ-001", "JTJ-002", "SCJG-001", "GAJ-001")


async def client(url: str, token: str, until: float, times: list[float]) -> None:
    catalogue = load_catalogue(ROOT / "forms" / "catalogue")
    bodies = [body(submission_for(catalogue.items[code])) for code in ITEMS]
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
        n = 0
        while time.monotonic() < until:
            started = time.perf_counter()
            made = await http.post("/api/letters", json=bodies[n % len(bodies)], headers={"Idempotency-Key": key()})
            if made.status_code == 201:
                times.append((time.perf_counter() - started) * 1000)
            n += 1


async def measure(urls: list[str], shared: Shared, clients: int, seconds: float) -> tuple[float, list[float]]:
    times: list[float] = []
    until = time.monotonic() + seconds
    token = shared.keys["CHENGNUO_SERVICE_TOKEN"]
    await asyncio.gather(*(client(urls[n % len(urls)], token, until, times) for n in range(clients)))
    return len(times) / seconds, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--render-workers", type=int, default=2, help="per instance (a machine of its own)")
    arguments = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    for instances in (1, 2):
        urls_ = _postgres_schema_url()
        database_url = next(urls_)
        with tempfile.TemporaryDirectory() as tmp:
            shared = make_shared(database_url, Path(tmp))
            shared.keys["CHENGNUO_RENDER_WORKERS"] = str(arguments.render_workers)
            with serving(shared, [Path(tmp) / f"i{n}" for n in range(instances)]) as urls:
                asyncio.run(measure(urls, shared, 2, 5))  # warm: render workers, connections
                rate, times = asyncio.run(measure(urls, shared, arguments.clients, arguments.seconds))
        next(urls_, None)
        cuts = statistics.quantiles(times, n=100)
        print(f"{instances} instance(s): {rate:.1f} sealed letters/s; one submission p50 "
              f"{statistics.median(times):.0f} ms, p99 {cuts[98]:.0f} ms ({len(times)} letters)")  # fmt: skip


if __name__ == "__main__":
    main()
