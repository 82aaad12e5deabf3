"""Files written so that a power cut leaves either the whole new file or none of it, never half.

Every file the project keeps (sealed PDFs, uploads, drawn signatures, keys) goes through
`write_durably`: a private temporary file beside the target, synced, renamed into place, and the
directory synced so the rename itself survives. Only then may the caller acknowledge anything.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
TEMPORARY_PREFIX = "."  # `.name.<random>`: what the sweep recognises as a write that never finished


def temporary_name(path: Path) -> Path:
    return path.with_name(f"{TEMPORARY_PREFIX}{path.name}.{secrets.token_hex(6)}")


def sync_directory(directory: Path) -> None:
    """Make the directory's entries (a rename, a new file) durable."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def make_directories(directory: Path) -> None:
    """Create the missing directories (mode 0700), each one's entry synced in its parent."""
    missing: list[Path] = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=DIRECTORY_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        sync_directory(made.parent)


def check_writable(directory: Path) -> None:
    """Create the directory if missing and a file in it, or raise the OSError that stops it."""
    make_directories(directory)
    probe = temporary_name(directory / "write-check")
    os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    probe.unlink()


def write_durably(path: Path, content: bytes, *, replace: bool = True) -> bool:
    """Write `content` to `path` (mode 0600) durably; with replace=False, only if `path` does not
    exist yet. True when this call wrote the file (always, with replace=True)."""
    make_directories(path.parent)
    tmp = temporary_name(path)
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # either whole or refused because another process was first
            except FileExistsError:
                return False
    finally:
        tmp.unlink(missing_ok=True)  # after os.replace it is already gone
    sync_directory(path.parent)
    return True


def create_once(path: Path, content: bytes) -> bool:
    """Write `content` to `path` (mode 0600) unless it exists; True when this call created it.

    Several worker processes may try at once (a key made on first run): the first one written
    wins whole, and nobody ever reads half a key.
    """
    if path.exists():
        return False
    return write_durably(path, content, replace=False)
