"""The warning when this year or the next has no holiday calendar: on the dashboard, at `chengnuo serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.runtime import Services
from forms import clock, workdays
from forms.holidays import HolidayCalendar, load_holidays
from forms.workdays import calendar_warning, use_calendar
from tests.api.staffing import bearer, make_staff
from tests.served import free_port

WARNING = "年的节假日安排尚未载入"


@pytest.fixture
def _restored() -> Iterator[None]:
    yield
    use_calendar(load_holidays())


@pytest.mark.usefixtures("_restored")
async def test_the_dashboard_warns_when_a_year_has_no_calendar(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    year = clock.today().year
    use_calendar(HolidayCalendar(national_years=[year, year + 1]))  # both years known
    quiet = await client.get("/", headers=clerk)
    assert quiet.status_code == 200 and WARNING not in quiet.text

    use_calendar(HolidayCalendar())
    monkeypatch.setattr(workdays, "_national", lambda day: None)  # chinese-calendar without them
    warned = await client.get("/", headers=clerk)
    assert f"{year}、{year + 1} {WARNING}" in warned.text
    assert 'id="calendar-gap"' in warned.text


def test_serve_says_so_at_start(tmp_path: Path) -> None:
    """`chengnuo serve` prints the warning when a year lacks data (as today's does for the next year
    until chinese-calendar has it), and nothing when the county's file has both years."""
    expected = calendar_warning(clock.today())
    port = free_port()
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "CHENGNUO_DATA_DIR": str(tmp_path / "data"),
        "CHENGNUO_SERVICE_TOKEN": "calendar-warning-token",
        "CHENGNUO_RENDER_WORKERS": "0",
        "CHENGNUO_DEADLINE_INTERVAL": "0",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "chengnuo", "serve", "--port", str(port)], env=environment, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while "Uvicorn running" not in log.read_text() and "Application startup complete" not in log.read_text():
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        text = log.read_text()
        if expected is None:
            assert "no holiday calendar" not in text
        else:
            assert f"chengnuo: warning: {expected}" in text
    finally:
        server.terminate()
        server.wait(timeout=60)
