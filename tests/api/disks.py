"""Real small filesystems for the tests: a tmpfs that fills up, a directory that cannot be written.

Mounting needs root (CI's containers run the suite as root); elsewhere the tests that need a
mount are skipped with the reason, and the in-process faults of test_storage.py still run.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


def _unmount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], check=False, capture_output=True)


class SmallDisk:
    """A tmpfs of a few MB: `fill()` takes every free block with a ballast file, `free()` gives them back."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ballast = root / "ballast"

    def fill(self) -> None:
        descriptor = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 65536, 4096, 1):  # down to the last partial block
                try:
                    while os.write(descriptor, b"\0" * size):
                        pass
                except OSError as error:
                    assert error.errno == errno.ENOSPC, error
        finally:
            os.close(descriptor)

    def free(self) -> None:
        self.ballast.unlink(missing_ok=True)


@contextmanager
def small_disk(target: Path, size: str = "16m") -> Iterator[SmallDisk]:
    _mount(target, f"size={size},mode=0700")
    try:
        yield SmallDisk(target)
    finally:
        _unmount(target)


@contextmanager
def read_only_dir(target: Path) -> Iterator[Path]:
    """A directory nobody can write: a read-only mount as root, else one without write permission."""
    if os.geteuid() == 0:
        _mount(target, "ro,size=1m")
        try:
            yield target
        finally:
            _unmount(target)
        return
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o555)
    try:
        yield target
    finally:
        target.chmod(0o755)
