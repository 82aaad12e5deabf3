"""A process pool that heals: a dead worker costs its jobs one retry, never the server's rendering.

concurrent.futures marks a whole pool broken when one of its workers dies (kill -9, the OOM killer,
a job past its deadline) and fails every job it holds; it never renders again. Here the first
caller to see a broken pool puts a new one in its place (once, however many see it at the same
moment), and each job that was in the broken pool runs once more on the new one. A job whose
worker dies under it twice is given up: that job may be what kills workers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 2  # the job, and one retry on a new pool
SUBMITS = 3  # a pool found broken before the job reached it is not the job's doing, up to a point
PROVEN_FOR = 10.0  # seconds a finished job vouches for the pool, so a busy pool is not pinged


class RenderFailed(RuntimeError):
    """No PDF from the pool: the job's workers died twice, or no worker starts."""


class _Generation:
    """One executor and what it has shown: when it last finished a job."""

    def __init__(self, executor: Executor, number: int) -> None:
        self.executor, self.number = executor, number
        self.finished_at: float | None = None


class HealingPool:
    """Runs jobs in executors that `make_executor` builds, replacing each one that breaks."""

    def __init__(self, make_executor: Callable[[], Executor]) -> None:
        self._make = make_executor
        self._lock = threading.Lock()
        self._made = 0
        self._current: _Generation | None = None

    def _generation(self) -> _Generation:
        """The executor in use, built on first use: after a break, and after close() too."""
        with self._lock:
            if self._current is None:
                self._made += 1
                self._current = _Generation(self._make(), self._made)
            return self._current

    async def run(self, job: Callable[..., T], *args: object, what: str = "job") -> T:
        """The job's result from a worker; RenderFailed when workers die under it twice."""
        crashes = submits = 0
        while True:
            generation = self._generation()
            try:
                future = generation.executor.submit(job, *args)
            except RuntimeError as refused:  # broken, or shut down, before the job reached it: not its doing
                self._replace(generation)
                submits += 1
                if submits >= SUBMITS:
                    raise RenderFailed("the render pool breaks as soon as it is replaced") from refused
                continue
            try:
                result = await asyncio.wrap_future(future)
            except BrokenExecutor as broken:
                self._replace(generation)
                crashes += 1
                log.warning("a render worker died under a %s (%d of %d)", what, crashes, ATTEMPTS)
                if crashes >= ATTEMPTS:
                    raise RenderFailed(f"render workers died twice under this {what}") from broken
                continue
            generation.finished_at = time.monotonic()
            return result

    async def problem(self, probe: Callable[[], object], *, timeout: float) -> str | None:
        """None when the pool can render: a job finished lately, or `probe` comes back from a worker
        within `timeout` seconds (starting one if need be); otherwise what is wrong."""
        current = self._generation()
        # `_broken` is set by concurrent.futures' own thread the moment a worker dies: a pool killed
        # while idle is replaced now by the probe, not by the next letter
        broken = getattr(current.executor, "_broken", False)
        if not broken and current.finished_at is not None and time.monotonic() - current.finished_at < PROVEN_FOR:
            return None
        try:
            await asyncio.wait_for(self.run(probe, what="health check"), timeout)
        except TimeoutError:
            return f"no render worker answered within {timeout:g} s"
        except RenderFailed as failed:
            return f"{failed}: render workers stop as they start or as they work; see the server's log"
        return None

    def _replace(self, broken: _Generation) -> None:
        """Drop the broken executor, unless another caller has already; the next job builds a new one."""
        with self._lock:
            if self._current is not broken:
                return
            self._current = None
        log.warning("render pool %d broke (a worker died); a new one replaces it", broken.number)
        broken.executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers once their jobs are done (a later job would start new ones)."""
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.executor.shutdown(wait=True, cancel_futures=True)
