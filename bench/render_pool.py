"""Render pool benchmark: what healing costs, how long a killed worker's jobs wait, how fast workers
follow a killed server, and what checking a drawn signature costs.

Run with `.venv/bin/python bench/render_pool.py [--runs N]` (PYTHONPATH at the worktree root). It
prints figures only; nothing is asserted (the tests in tests/api/test_render_pool.py do that).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from api.config import ApiSettings
from api.rendering import Renderer
from forms.catalogue import load_catalogue
from forms.languages import Lang
from forms.sample import sample_letter
from forms.signature_image import check_drawing, checked_png, png_size
from tests.forms.drawings import black_page, drawing
from tests.processes import children, render_workers, still_alive_after


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(label: str, values: list[float], unit: str = "ms", scale: float = 1000) -> None:
    p50, p99 = percentile(values, 0.5) * scale, percentile(values, 0.99) * scale
    print(f"  {label:<62} p50 {p50:9.2f} {unit:<2}  p99 {p99:9.2f} {unit:<2}  (n={len(values)})")


async def pool_figures(runs: int, data_dir: Path) -> None:
    settings = ApiSettings(CHENGNUO_DATA_DIR=data_dir, CHENGNUO_SERVICE_TOKEN="bench")
    item = load_catalogue().items["SCJG-002"]
    letter = sample_letter(item, Lang.zh)
    renderer = Renderer(settings, 2)
    try:
        started = time.perf_counter()
        assert await renderer.problem() is None
        print(f"  {'first health check (starts a worker)':<62}     {time.perf_counter() - started:9.2f} s")
        await asyncio.gather(*(renderer.preview(letter, item) for _ in range(4)))  # both workers warm
        warm = []
        for _ in range(runs):
            started = time.perf_counter()
            await renderer.preview(letter, item)
            warm.append(time.perf_counter() - started)
        line("preview, warm pool", warm)
        checks = []
        for _ in range(runs):
            started = time.perf_counter()
            await renderer.problem()
            checks.append(time.perf_counter() - started)
        line("health check after a job (no round trip)", checks, "µs", 1e6)

        idle, in_flight = [], []
        for _ in range(max(3, runs // 10)):
            for pid in render_workers():
                os.kill(pid, signal.SIGKILL)
            still_alive_after(render_workers(), 5)
            started = time.perf_counter()
            await renderer.preview(letter, item)
            idle.append(time.perf_counter() - started)

            job = asyncio.ensure_future(renderer.preview(letter, item))
            await asyncio.sleep(0.05)  # the job is in a worker now
            started = time.perf_counter()
            for pid in render_workers():
                os.kill(pid, signal.SIGKILL)
            await job
            in_flight.append(time.perf_counter() - started)
        line("preview after every worker was killed while idle", idle, "s", 1)
        line("preview whose worker is killed under it (from the kill)", in_flight, "s", 1)
    finally:
        renderer.close()


SERVER = textwrap.dedent(
    """
    import asyncio, sys
    from api.config import ApiSettings
    from api.rendering import Renderer
    from forms.catalogue import load_catalogue
    from forms.languages import Lang
    from forms.sample import sample_letter
    if __name__ == "__main__":
        renderer = Renderer(ApiSettings(CHENGNUO_DATA_DIR=sys.argv[1], CHENGNUO_SERVICE_TOKEN="bench"), 2)
        item = load_catalogue().items["SCJG-002"]
        letter = sample_letter(item, Lang.zh)
        async def main():
            await asyncio.gather(*(renderer.preview(letter, item) for _ in range(4)))
        asyncio.run(main())
        print("ready", flush=True)
        sys.stdin.read()
    """
)


def parent_death_figures(runs: int, data_dir: Path) -> None:
    script = data_dir / "server.py"
    script.write_text(SERVER)
    gone = []
    for _ in range(runs):
        server = subprocess.Popen(
            [sys.executable, str(script), str(data_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        left = [child.pid for child in children(server.pid)]
        started = time.perf_counter()
        server.kill()
        server.wait()
        survivors = still_alive_after(left, 10)
        gone.append(time.perf_counter() - started)
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        print(f"    kill -9 of the server: {len(left)} children, {len(survivors)} left after 10 s")
    line("workers and resource tracker gone after kill -9 of the server", gone)


def signature_figures(runs: int) -> None:
    honest, bomb = drawing(1200, 600), black_page(12000, 12000)
    for label, check, data, unit, scale in (
        ("header check of a 1200×600 drawing (png_size, in SignatureEvidence)", png_size, honest, "µs", 1e6),
        ("decoding and ink check of it (check_drawing, at submission)", check_drawing, honest, "ms", 1e3),
        ("check and re-encoding of it (checked_png, POST /api/signatures)", checked_png, honest, "ms", 1e3),
    ):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            check(data)
            times.append(time.perf_counter() - started)
        line(label, times, unit, scale)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.suppress(ValueError):
            checked_png(bomb)
        times.append(time.perf_counter() - started)
    line(f"refusing a 12000×12000 bomb of {len(bomb) // 1024} KB (checked_png)", times, "µs", 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chengnuo-bench-pool-") as folder:
        print("render pool (2 workers):")
        asyncio.run(pool_figures(args.runs, Path(folder)))
        print("workers following their server:")
        parent_death_figures(max(3, args.runs // 10), Path(folder))
    print("drawn signatures:")
    signature_figures(args.runs)


if __name__ == "__main__":
    main()
