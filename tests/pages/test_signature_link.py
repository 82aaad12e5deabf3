"""The drawn-signature page opened from a link, outside Telegram: on a phone-sized screen, drawn
with a finger, in a plain browser (as WeChat's built-in one is); and the links to PDFs."""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
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


def sign_with_finger(page: Page, touch: CDPSession, low: float = 0.7) -> None:
    """A stroke across the pad with real touch events (the page listens for the pointer events they make),
    zigzagging down to `low` of the pad's height."""
    box = page.locator("#pad").bounding_box()
    assert box is not None
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    points = [(left + width * (0.1 + 0.8 * i / 20), top + height * (low - 0.4 * ((i % 10) / 10))) for i in range(21)]
    touch.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]}
    )
    for x, y in points[1:]:
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    # a finger takes this long to reach a button; a tap sooner is taken by Chromium for part of the gesture
    page.wait_for_timeout(600)


def submit(page: Page) -> None:
    """Tap Submit as a person does: again if the first tap did nothing. Chromium now and then takes a tap
    soon after a drawn stroke as the end of that gesture (1 run in 8 under load)."""
    for _ in range(3):
        page.locator("#submit").tap()
        try:
            expect(page.locator("#status")).not_to_have_text("", timeout=3_000)
            return
        except AssertionError:
            continue


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
    submit(phone)
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
    submit(phone)
    expect(phone.locator("#status")).to_have_text(
        _("这个签名链接已经用过或已经失效。如需重新签名，请回到对话中再次获取链接。")
    )
    expect(phone.locator("#status")).to_have_class("status error")
    screenshot(phone, "signature-link-used")


def ink(page: Page) -> dict[str, float]:
    """Where the pad shows ink, in its own pixels, and how big it is."""
    return page.evaluate("""() => {
        const canvas = document.getElementById("pad");
        const {width, height} = canvas;
        const alpha = canvas.getContext("2d").getImageData(0, 0, width, height).data;
        let top = height, bottom = -1;
        for (let y = 0; y < height; y++) for (let x = 0; x < width; x++)
            if (alpha[(y * width + x) * 4 + 3] > 0) { top = Math.min(top, y); bottom = Math.max(bottom, y); }
        return {top, bottom, height};
    }""")


def test_turning_the_phone_after_drawing_keeps_the_whole_signature(phone: Page, platform: Platform) -> None:
    """Drawn low on the pad in portrait, then the phone turned: the pad is wider than it is tall now, and
    the signature is still seen whole and is submitted whole, its shape as drawn."""
    content_hash = hashlib.sha256(secrets.token_bytes(8)).hexdigest()
    phone.goto(signature_link(platform, content_hash, Lang.zh))
    expect(phone.locator("#pad")).to_be_visible()
    phone.wait_for_timeout(300)
    sign_with_finger(phone, phone.context.new_cdp_session(phone), low=0.95)
    drawn = phone.locator("#pad").bounding_box()
    assert drawn is not None
    shape = (0.8 * drawn["width"]) / (0.4 * drawn["height"])  # the zigzag's width to its height, as drawn

    phone.set_viewport_size({"width": 640, "height": 360})  # turned
    phone.wait_for_timeout(300)
    turned = phone.locator("#pad").bounding_box()
    assert turned is not None and turned["width"] / turned["height"] > 3  # the pad changed shape
    seen = ink(phone)
    assert 0 < seen["top"] and seen["bottom"] < seen["height"] - 1, f"cut off on screen: {seen}"

    submit(phone)
    expect(phone.locator("#status")).to_have_text(gettext_for(Lang.zh)("签名已保存。请回到对话中继续。"))
    screenshot(phone, "signature-turned")  # after the tap: a full-page shot resizes the page for a moment
    fetched = httpx.get(f"{platform.url}/api/signatures/telegram/{USER}/{content_hash}", headers=SERVICE, timeout=30)
    assert fetched.status_code == 200, fetched.text
    image = Image.open(io.BytesIO(base64.b64decode(fetched.json()["image_png"])))
    left, top, right, bottom = image.getchannel("A").getbbox() or (0, 0, 0, 0)
    kept = (right - left) / (bottom - top)
    assert abs(kept - shape) / shape < 0.2, f"submitted {right - left}×{bottom - top}, drawn {shape:.2f}:1"


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
