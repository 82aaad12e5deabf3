"""The window pages in a real browser: Debian's Chromium, driven by Playwright, against the API
served by uvicorn on a real port, over a real store.

Playwright's own browser download needs the internet; Debian's chromium package needs none. It runs
headless, without the sandbox (root in a container has none to give) and without the background
requests Chrome makes on its own (the tests must not reach out).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from stdnum.cn import ric

from api.app import build_services, create_app
from api.config import ApiSettings
from api.runtime import Services
from api.services.auth import Role
from forms.catalogue import Item
from forms.i18n import ROOT
from forms.languages import Lang
from forms.letter import Applicant
from forms.sample import sample_letter
from tests.api.conftest import _postgres_schema_url, body, key, submission_for
from tests.api.staffing import make_staff
from tests.served import free_port, served

SCREENS = ROOT / "test-output" / "screens"
SERVICE_TOKEN = "pages-service-token"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage", "--disable-gpu"]


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    return found


@dataclass
class Platform:
    """The running API: its address, its services, and a way to file letters as the bot does."""

    url: str
    services: Services

    def submit(self, item: Item, lang: Lang = Lang.zh, **changes: object) -> dict[str, object]:
        submission = submission_for(item, lang, **changes)
        headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": key()}
        answer = httpx.post(f"{self.url}/api/letters", json=body(submission), headers=headers, timeout=60)
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def item(self, code: str) -> Item:
        item = self.services.catalogue.get(code)
        assert item is not None
        return item

    def staff(self, *departments: str, role: Role = Role.window) -> tuple[str, str]:
        return make_staff(self.services, role=role, departments=departments)


def resident_id() -> str:
    """A valid resident ID no other test uses: a Xinjiang region code, a birth date, the check digit."""
    birth = f"{random.randint(1960, 2000)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    first = f"653022{birth}{random.randint(0, 999):03d}"
    return first + ric.calc_check_digit(first + "0")  # it drops the last character itself


def applicant(item: Item, id_number: str) -> Applicant:
    """The sample letter's applicant (a person) with this ID: one of the test's own to search for."""
    return sample_letter(item, Lang.zh).applicant.model_copy(update={"id_number": id_number})


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """On PostgreSQL in a schema of its own when DATABASE_URL is set (as on CI), else SQLite."""
    port = free_port()
    urls = _postgres_schema_url() if os.environ.get("DATABASE_URL") else iter([None])
    settings = ApiSettings(
        CHENGNUO_DATA_DIR=tmp_path_factory.mktemp("pages"),
        DATABASE_URL=next(urls),  # given even when None: the environment's would be the shared schema
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        CHENGNUO_SERVICE_TOKEN=SERVICE_TOKEN,
        CHENGNUO_RENDER_WORKERS=1,
        CHENGNUO_DEADLINE_INTERVAL=0,
    )
    services = build_services(settings)
    with served(create_app(settings, services), port) as url:
        yield Platform(url=url, services=services)
    services.engine.dispose()
    services.renderer.close()
    next(urls, None)  # drops the PostgreSQL schema


# Per module, not per session: the sync API keeps its event loop running in this thread while it
# is open, and pytest-asyncio's tests could not run their own loop after it.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, platform: Platform) -> Iterator[Page]:
    """A fresh browser profile at 1366×768, the screen of a window's desktop computer."""
    context = browser.new_context(base_url=platform.url, viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Kept under test-output/screens for people to look at; full pages, as the clerk scrolls."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
