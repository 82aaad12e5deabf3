"""Running the `chengnuo` command as a person would, in a clean environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def chengnuo(*args: str, typed: str | None = None, **env: str | Path) -> subprocess.CompletedProcess[str]:
    """`python -m chengnuo ARGS` with only PATH and the given variables (CHENGNUO_DATA_DIR=…);
    `typed` is what a person types on standard input."""
    environment = {"PATH": "/usr/bin:/bin", **{k: str(v) for k, v in env.items()}}
    return subprocess.run(
        [sys.executable, "-m", "chengnuo", *args], input=typed, capture_output=True, text=True, env=environment
    )
