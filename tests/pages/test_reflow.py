"""The pages fit the screen they are read on: a window's 1366 px, 200 % zoom, a phone's 320 px.

Nothing may scroll sideways, in Chinese or in Uyghur (whose words are longer and run right to
left), and no control may stick out of its panel.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from api.pages.base import LANG_COOKIE
from api.services.auth import Role
from forms.languages import Lang
from tests.pages.conftest import Platform, log_in, screenshot

# 1366 px: the window's desktop; 683 px: the same at 200 % zoom; 320 px: 400 % zoom, or a phone
WIDTHS = [1366, 683, 320]


def _overflow(page: Page) -> dict[str, object]:
    """How far the page scrolls sideways, and which form controls leave their panel."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          const controls = 'main input, main select, main button, main label, main textarea';
          for (const el of document.querySelectorAll(controls)) {
            const box = el.getBoundingClientRect();
            const panel = el.closest('.panel, form, fieldset') || document.querySelector('main');
            const frame = panel.getBoundingClientRect();
            if (box.width && (box.right > frame.right + 1 || box.left < frame.left - 1)) {
              out.push(el.tagName + ' ' + (el.name || el.textContent.trim().slice(0, 20)));
            }
          }
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1 || el.getBoundingClientRect().left < -1)
            .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > width + 1))
            .slice(0, 5).map(el => el.tagName + '.' + el.className + '#' + el.id);
          const scroll = document.documentElement.scrollWidth - width;
          return scroll ? {scroll, outside: out, wide} : {scroll, outside: out};
        }"""
    )


def _clerk_page(browser: Browser, platform: Platform, lang: Lang, width: int) -> tuple[BrowserContext, Page]:
    """A logged-in clerk (an admin sees every department's items: the longest lists) reading in `lang`."""
    context = browser.new_context(base_url=platform.url, viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, *platform.staff(role=Role.admin))  # the login form in Chinese, then the reader's language
    context.add_cookies([{"name": LANG_COOKIE, "value": lang.value, "url": platform.url}])
    return context, page


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_page_fits_without_scrolling_sideways(
    browser: Browser, platform: Platform, lang: Lang, width: int
) -> None:
    context, page = _clerk_page(browser, platform, lang, width)
    try:
        page.goto("/letters")
        found = _overflow(page)
        screenshot(page, f"search-{lang.value}-{width}")
        assert found == {"scroll": 0, "outside": []}, found
    finally:
        context.close()


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_letter_page_fits_without_scrolling_sideways(
    browser: Browser, platform: Platform, lang: Lang, width: int
) -> None:
    letter = platform.submit(platform.item("SCJG-001"))
    context, page = _clerk_page(browser, platform, lang, width)
    try:
        page.goto(f"/letters/{letter['number']}")
        found = _overflow(page)
        screenshot(page, f"letter-{lang.value}-{width}")
        assert found["scroll"] == 0, found
    finally:
        context.close()
