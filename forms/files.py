"""Files that several worker processes may try to create at once: the first one written wins."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def create_once(path: Path, content: bytes) -> bool:
    """Write `content` to `path` (mode 0600) unless it exists; True when this call created it.

    The content goes to a temporary file first and is linked into place, which either succeeds
    whole or fails because another process was first: nobody ever reads half a key.
    """
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    tmp.write_bytes(content)
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
