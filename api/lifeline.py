"""What keeps a render worker from outliving its server or hanging on one job: the worker's side.

A worker blocks reading its job queue, whose write end it holds itself, so nothing tells it when
the server is killed (kill -9, the OOM killer); it would stay, with the multiprocessing resource
tracker whose pipe it also holds, for as long as the machine runs. Each worker therefore watches
the server's pid through a pidfd, which becomes readable the moment that process ends.

PR_SET_PDEATHSIG is not used: it fires when the *thread* that started the worker ends, and a pool
starts its workers lazily from whichever thread submits a job, so a worker started from a short-lived
thread would be killed while its server is alive.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


def die_with_parent(parent_pid: int) -> None:
    """Exit this process as soon as `parent_pid`, the server that started it, is gone."""
    if os.getppid() != parent_pid:  # the server died before this worker got here
        os._exit(1)
    try:
        pidfd: int | None = os.pidfd_open(parent_pid)
    except (AttributeError, OSError):  # not Linux ≥ 5.3: look once a second instead
        pidfd = None
    if os.getppid() != parent_pid:  # it died in between, and the pid may now be another process's
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid, pidfd), name="parent-watch", daemon=True).start()
    # Ctrl-C reaches the whole process group: the server handles it and stops its workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _watch(parent_pid: int, pidfd: int | None) -> None:
    if pidfd is not None:
        select.select([pidfd], [], [])  # readable once the process has ended
    else:
        while os.getppid() == parent_pid:
            time.sleep(1)
    os._exit(1)  # no clean-up: nobody is left to hand anything to


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Past `seconds`, the kernel ends this process (SIGALRM's default action), whatever it is doing:
    stuck in C, in a loop, or waiting. The pool then sees a dead worker and replaces it."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
