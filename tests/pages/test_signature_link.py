"""The drawn-signature page opened from a link, outside Telegram: on a phone-sized screen, drawn
with a finger, in a plain browser (as WeChat's built-in one is); and the links to PDFs."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect

from forms.i18n import gettext_for
from forms.languages import Lang
from tests.pages.conftest import SERVICE_TOKEN, Platform, screenshot

USER = "100000001"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
# a cheap Android phone in portrait
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser: Browser, platform: Platform) -> Iterator[Page]:
    context = browser.new_context(base_url=platform.url, locale="zh-CN", **PHONE)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def signature_link(platform: Platform, content_hash: str, lang: Lang) -> str:
    asked = {"channel": "telegram", "channel_user": USER, "content_hash": content_hash, "language": lang.value}
    made = httpx.post(f"{platform.url}/api/signatures/links", json=asked, headers=SERVICE, timeout=30)
    assert made.status_code == 201, made.text
    return str(made.json()["url"])


def sign_with_finger(page: Page, touch: CDPSession) -> None:
    """A stroke across the pad with real touch events (the page listens for the pointer events they make)."""
    box = page.locator("#pad").bounding_box()
    assert box is not None
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    points = [(left + width * (0.1 + 0.8 * i / 20), top + height * (0.7 - 0.4 * ((i % 10) / 10))) for i in range(21)]
    touch.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]}
    )
    for x, y in points[1:]:
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    # a finger takes this long to reach a button; a tap sooner is taken by Chromium for part of the gesture
    page.wait_for_timeout(600)


def test_a_drawing_from_a_link_is_stored_once(phone: Page, platform: Platform) -> None:
    lang = Lang.zh
    _ = gettext_for(lang)
    content_hash = hashlib.sha256(secrets.token_bytes(8)).hexdigest()
    url = signature_link(platform, content_hash, lang)
    assert "#token=" in url
    phone.goto(url)
    expect(phone.locator("#status")).to_have_text("")  # no "open this in Telegram": the token is enough
    touch = phone.context.new_cdp_session(phone)
    sign_with_finger(phone, touch)
    phone.locator("#submit").tap()
    expect(phone.locator("#status")).to_have_text(_("签名已保存。请回到对话中继续。"))
    expect(phone.locator("#actions")).to_be_hidden()
    screenshot(phone, "signature-link-saved")

    fetched = httpx.get(f"{platform.url}/api/signatures/telegram/{USER}/{content_hash}", headers=SERVICE, timeout=30)
    assert fetched.status_code == 200, fetched.text  # where the bot looks for it
    assert base64.b64decode(fetched.json()["image_png"]).startswith(b"\x89PNG")

    phone.reload()  # the same link again: the fragment is still there, the token is used
    phone.wait_for_load_state("load")  # the pad laid out again before the finger goes down on it
    expect(phone.locator("#pad")).to_be_visible()
    phone.wait_for_timeout(300)
    sign_with_finger(phone, touch)
    phone.locator("#submit").tap()
    expect(phone.locator("#status")).to_have_text(
        _("这个签名链接已经用过或已经失效。如需重新签名，请回到对话中再次获取链接。")
    )
    expect(phone.locator("#status")).to_have_class("status error")
    screenshot(phone, "signature-link-used")


def test_the_page_is_right_to_left_in_uyghur(phone: Page, platform: Platform) -> None:
    content_hash = hashlib.sha256(secrets.token_bytes(8)).hexdigest()
    phone.goto(signature_link(platform, content_hash, Lang.ug))
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("h1")).to_have_text(gettext_for(Lang.ug)("手写签名"))


def test_a_letter_link_downloads_its_pdf_on_a_phone(phone: Page, platform: Platform) -> None:
    number = str(platform.submit(platform.item("SFJ-001"), Lang.ky_Arab)["number"])
    asked = {"number": number, "channel": "telegram", "channel_user": USER}
    made = httpx.post(f"{platform.url}/api/shares/letters", json=asked, headers=SERVICE, timeout=30)
    assert made.status_code == 201, made.text
    phone.goto(made.json()["url"])
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")  # the letter's language
    expect(phone.locator(".number")).to_have_text(number)
    button = phone.locator("a.download")
    box = button.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] >= 48  # big enough for a thumb
    screenshot(phone, "share-letter")
    with phone.expect_download() as downloading:
        button.tap()
    download = downloading.value
    assert download.suggested_filename == f"{number}.pdf"
    path = download.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
