"""The processes a server leaves behind, read from /proc (Linux): no psutil needed."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Child:
    pid: int
    command: str

    @property
    def render_worker(self) -> bool:
        """A process of a spawn-context pool (concurrent.futures' workers)."""
        return "spawn_main" in self.command

    @property
    def resource_tracker(self) -> bool:
        return "resource_tracker" in self.command


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid), or None once the process is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces and brackets
    return fields[0], int(fields[1])


def children(parent: int) -> list[Child]:
    """The live processes whose parent is `parent`."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is None or stat[0] == "Z" or stat[1] != parent:
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append(Child(int(entry.name), command))
    return found


def alive(pid: int) -> bool:
    """Running, or at least not yet a zombie (a zombie only waits for its parent to read its end)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def still_alive_after(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive once `seconds` have passed (or none sooner)."""
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def render_workers() -> list[int]:
    """This test process's pool workers."""
    return [child.pid for child in children(os.getpid()) if child.render_worker]


def kill_render_workers() -> list[int]:
    """kill -9 every pool worker of this process, as the OOM killer would; wait until they are dead."""
    pids = render_workers()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert not still_alive_after(pids, 5)
    return pids


class WorkerKiller(threading.Thread):
    """Kills every pool worker of this process as soon as it shows, until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopped = threading.Event()
        self.killed = 0

    def run(self) -> None:
        while not self.stopped.wait(0.01):
            for pid in render_workers():
                try:
                    os.kill(pid, signal.SIGKILL)
                    self.killed += 1
                except ProcessLookupError:
                    pass

    def __enter__(self) -> WorkerKiller:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.join()


def connections_to(pid: int, port: int) -> int:
    """Established TCP connections process `pid` holds on local `port` (its sockets in /proc/net/tcp)."""
    inodes = set()
    for fd in (PROC / str(pid) / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for line in (PROC / str(pid) / "net" / "tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], fields[9]
        held += local_port == port and state == "01" and inode in inodes
    return held
