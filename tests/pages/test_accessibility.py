"""axe-core (WCAG 2.1 A and AA rules) over every page a clerk, an admin and the public open, in
Chinese and in Uyghur. axe-core is Deque's, carried by the axe-playwright-python package (pip)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from api.pages.base import LANG_COOKIE
from api.services.auth import Role
from forms.languages import Lang
from tests.pages.conftest import SERVICE_TOKEN, Platform, applicant, log_in, resident_id

AXE = Axe()
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _violations(page: Page) -> list[str]:
    results = AXE.run(page, options=WCAG_AA)
    assert len(results.response["passes"]) >= 10, "axe-core ran its rules on the page"  # never a silent no-op
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.fixture(scope="module")
def letter(platform: Platform) -> dict[str, object]:
    item = platform.item("SCJG-001")
    return platform.submit(item, applicant=applicant(item, resident_id()))


@pytest.fixture(params=[Lang.zh, Lang.ug], ids=["zh", "ug"])
def reader(
    request: pytest.FixtureRequest, browser: Browser, platform: Platform
) -> Iterator[tuple[BrowserContext, Page]]:
    context = browser.new_context(base_url=platform.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": LANG_COOKIE, "value": request.param.value, "url": platform.url}])
    yield context, context.new_page()
    context.close()


PUBLIC = ["/login", "/verify"]
STAFF = ["/", "/letters", "/letters/{number}", "/letters/{number}/print", "/publications", "/statistics", "/credit",
         "/admin/windows", "/admin/staff", "/admin/seals", "/password"]  # fmt: skip


def _shared(platform: Platform, number: object) -> str:
    """The /d/{token} page an applicant on WeChat opens for their letter."""
    body = {"number": number, "channel": "telegram", "channel_user": "100000001"}  # forms.sample's signer
    answer = httpx.post(
        f"{platform.url}/api/shares/letters", json=body, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}
    )
    assert answer.status_code == 201, answer.text
    return str(urlsplit(answer.json()["url"]).path)


def test_the_public_pages_have_no_violations(
    reader: tuple[BrowserContext, Page], platform: Platform, letter: dict[str, object]
) -> None:
    _context, page = reader
    found = {}
    shared = _shared(platform, letter["number"])
    for path in [*PUBLIC, f"/verify/{letter['number']}?code={letter['verify_code']}", shared]:
        page.goto(path)
        if problems := _violations(page):
            found[path] = problems
    assert not found, found


def test_the_staff_pages_have_no_violations(
    reader: tuple[BrowserContext, Page], platform: Platform, letter: dict[str, object]
) -> None:
    context, page = reader
    lang = context.cookies()[0]["value"]
    context.clear_cookies()
    log_in(page, *platform.staff(role=Role.admin))  # the login form in Chinese, then the reader's language
    context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": platform.url}])
    found = {}
    for path in STAFF:
        page.goto(path.format(number=letter["number"]))
        if problems := _violations(page):
            found[path] = problems
    assert not found, found


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_and_the_fields_borders_are_seen(page: Page, platform: Platform) -> None:
    # what axe does not measure: WCAG 1.4.11, 3:1 for a control's border and for the focus indicator
    log_in(page, *platform.staff(role=Role.admin))
    page.goto("/letters")
    field = page.locator("form.filters input[name='name']")
    field.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus from the keyboard: :focus-visible
    style = field.evaluate(
        """el => { const s = getComputedStyle(el); const panel = getComputedStyle(el.closest('.panel'));
                   return {ring: s.outlineColor, width: s.outlineWidth, border: s.borderTopColor,
                           paper: panel.backgroundColor}; }"""
    )
    assert style["width"] != "0px", style
    assert _contrast(style["ring"], style["paper"]) >= 3, style
    assert _contrast(style["border"], style["paper"]) >= 3, style


def test_the_signature_pages_submit_button_reads_clearly_even_in_telegrams_light_theme(
    page: Page, platform: Platform
) -> None:
    theme = '{"button_color":"#2481cc","button_text_color":"#ffffff","bg_color":"#ffffff"}'
    page.goto(f"/miniapp/signature?lang=zh&content_hash={'a' * 64}#tgWebAppThemeParams={quote(theme)}")
    button = page.locator("button.primary").first
    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert _contrast(*colours) >= 4.5, colours
    assert not _violations(page)


def test_each_reason_box_belongs_to_its_action_and_the_result_is_announced(page: Page, platform: Platform) -> None:
    item = platform.item("SCJG-001")
    letter = platform.submit(item, applicant=applicant(item, resident_id()))
    log_in(page, *platform.staff("SCJG"))
    page.goto(f"/letters/{letter['number']}")
    groups = page.evaluate(
        """() => [...document.querySelectorAll('form.move fieldset.action')].map(f => ({
             legend: f.querySelector('legend').textContent.trim(),
             button: f.querySelector('button[type=submit]').textContent.trim(),
             boxes: f.querySelectorAll('textarea').length }))"""
    )
    assert groups and all(g["legend"] == g["button"] and g["boxes"] == 1 for g in groups), groups
    refuse = page.get_by_role("group", name="不予受理")
    expect(refuse.get_by_label("原因（必填）")).to_be_visible()  # the box is found through its action
    page.get_by_role("group", name="受理", exact=True).get_by_role("button", name="受理", exact=True).click()
    result = page.locator("#result")
    expect(result).to_be_focused()
    expect(result).to_have_attribute("role", "status")
