"""The set-up script: installs what is missing as root, names the exact command otherwise."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-packages"


def test_nothing_to_do_when_everything_is_installed() -> None:
    result = subprocess.run([SCRIPT, "fontconfig", "poppler-utils"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == result.stderr == ""


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux) to drop root")
def test_without_root_it_stops_and_names_the_apt_command() -> None:
    # the script comes on stdin and runs from /: the checkout may be in a folder nobody cannot enter
    with SCRIPT.open("rb") as script:
        result = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "bash",
                "-s",
                "fontconfig",
                "chengnuo-no-such-pkg",
            ],
            stdin=script,
            capture_output=True,
            cwd="/",
        )
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert "Missing system packages: chengnuo-no-such-pkg" in stderr
    assert "apt-get update && apt-get install -y --no-install-recommends chengnuo-no-such-pkg" in stderr
