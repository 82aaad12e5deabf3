"""Several server processes on one machine (`chengnuo serve --workers N`): which one is which, how the
render workers are shared out, and where the channels run.

uvicorn starts the N processes and replaces one that dies; it tells them nothing but the app to build.
The bot runs in every one of them, and leases (bot.lease) let one at a time poll and deliver.
Each takes the lowest free number 0..N-1 at start: an exclusive flock on a file under the data
directory, which the kernel lets go when the process ends, so a replacement takes its number back.
"""

from __future__ import annotations

import fcntl
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

# How long uvicorn waits for a worker to be ready (its SIGHUP gives up the rolling restart past it)
# and for a running one to answer before it is replaced.
WORKER_READY_SECONDS = 60


@dataclass(frozen=True)
class Worker:
    """This process's number among `count` on the machine (None: every number was taken)."""

    number: int | None
    count: int
    hold: IO[bytes] | None = field(default=None, repr=False, compare=False)  # the number's lock, kept open

    @classmethod
    def alone(cls) -> Worker:
        return cls(0, 1)


def take_number(folder: Path, count: int) -> Worker:
    """The lowest number no live process of this data directory holds, held until this process ends."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        lock = (folder / f"worker-{number}.lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return Worker(number, count, lock)
    # uvicorn's SIGHUP starts each replacement before it ends the old worker: all numbers are taken
    return Worker(None, count)


def render_share(total: int, worker: Worker) -> int:
    """This process's render workers, so the machine runs `total` (CHENGNUO_RENDER_WORKERS) in all:
    the first `total % count` numbers take one more; never fewer than one while `total` is not 0,
    since a server process without one could not render. 0 stays 0: a thread in each process."""
    if total == 0:
        return 0
    share, extra = divmod(total, worker.count)
    number = worker.count if worker.number is None else worker.number
    return max(1, share + (1 if number < extra else 0))


def bot_leases(worker: Worker, folder: Path, *, redis: bool) -> Path | None:
    """Where this machine's processes take turns at polling Telegram and delivering its messages, or
    None. Every process runs the bot; one at a time polls and delivers, by a lease: Redis's when
    REDIS_URL is set (across machines too), else a lock file under the data directory. A process
    restarted in place, or started before the old one ends (uvicorn's SIGHUP), so takes over."""
    return None if redis or worker.count == 1 else folder


def shared_state_missing(workers: int, *, redis: bool, pushed: list[str]) -> str | None:
    """Why N processes cannot serve the channels that push to us (Telegram's webhook, WeChat) without
    Redis, or None. Their messages reach any process, and only Redis is shared: without it each
    process would keep its own per-chat ordering, its own record of WeChat's resends and its own
    WeChat access token, which each fetch invalidates for the others."""
    if workers == 1 or redis or not pushed:
        return None
    return (
        f"{' and '.join(pushed)} with --workers {workers} needs REDIS_URL: messages reach any worker, and the"
        " workers share conversations, resends and tokens through Redis only. Set REDIS_URL, or serve"
        " with --workers 1."
    )
