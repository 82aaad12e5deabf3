"""The public verify page as the people checking a letter use it: scanning its QR code with a phone,
typing its number and code, or uploading its PDF."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from forms.languages import Lang
from forms.sample import SAMPLE_ID, SAMPLE_PEOPLE
from tests.forms.hostile_pdfs import deeply_nested, unsigned_naming
from tests.pages.conftest import SERVICE_TOKEN, Platform, screenshot

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def letter(platform: Platform) -> dict[str, str]:
    """One letter for the checks that do not change it."""
    return {k: str(v) for k, v in platform.submit(platform.item("SFJ-001")).items()}


@pytest.fixture(scope="module")
def letter_pdf(platform: Platform, letter: dict[str, str]) -> bytes:
    answer = httpx.get(
        f"{platform.url}/api/letters/{letter['number']}/pdf",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=60,
    )
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    return answer.content


def _finding(page: Page, text: str) -> None:
    expect(page.locator(".finding", has_text=text)).to_be_visible()


def test_scanning_the_qr_code_shows_the_status_and_that_the_original_is_intact(
    page: Page, platform: Platform, letter: dict[str, str]
) -> None:
    answer = page.goto(letter["verify_url"])  # what the phone's camera opens
    assert answer is not None and answer.status == 200
    expect(page.get_by_role("heading", name="查验结果")).to_be_visible()
    _finding(page, "这是本平台出具的承诺书")
    _finding(page, "平台保存的原件完好")
    expect(page.locator(".verify-status")).to_have_text("待受理")
    expect(page.locator("dl.facts")).to_contain_text(letter["number"])
    expect(page.locator("dl.facts")).to_contain_text(platform.item("SFJ-001").name(Lang.zh))
    content = page.content()
    assert SAMPLE_PEOPLE[Lang.zh] not in content and SAMPLE_ID not in content  # no personal data
    screenshot(page, "verify-result")


def test_typing_the_number_and_code_by_keyboard_and_a_wrong_code(
    page: Page, platform: Platform, letter: dict[str, str]
) -> None:
    number, code = letter["number"], letter["verify_code"]
    page.goto("/verify")
    expect(page.get_by_role("heading", name="承诺书查验")).to_be_visible()
    screenshot(page, "verify-form")
    page.get_by_label("编号", exact=True).focus()
    page.keyboard.type(number.lower())
    page.keyboard.press("Tab")
    page.keyboard.type(code.replace("-", "").lower())  # as people type it from paper
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{platform.url}/verify/{number}?code={code}")
    _finding(page, "平台保存的原件完好")

    wrong = "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"  # well formed, not this letter's
    answer = page.goto(f"/verify/{number}?code={wrong}")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("alert")).to_have_text(re.compile("没有找到这个编号和核验码的承诺书"))
    expect(page.get_by_label("编号", exact=True)).to_have_value(number)
    expect(page.get_by_label("核验码", exact=True)).to_have_value(wrong)

    page.get_by_label("核验码", exact=True).fill("ABC")
    page.get_by_role("button", name="查验", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("核验码的格式不对"))
    expect(page.get_by_label("核验码", exact=True)).to_have_value("ABC")


def test_the_letters_own_pdf_is_intact_and_a_changed_copy_is_not(
    page: Page, letter: dict[str, str], letter_pdf: bytes
) -> None:
    page.goto("/verify")
    page.get_by_label("承诺书的 PDF 文件").set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": letter_pdf}
    )
    page.get_by_role("button", name="上传并查验").click()
    _finding(page, "印章有效，文件在盖章后没有被改动")
    _finding(page, "与平台保存的原件完全一致")
    expect(page.locator("dl.facts")).to_contain_text(letter["number"])
    screenshot(page, "verify-upload")

    altered = bytearray(letter_pdf)
    altered[letter_pdf.find(b"stream\n") + 40] ^= 1  # one bit inside the sealed content
    page.goto("/verify")
    page.get_by_label("承诺书的 PDF 文件").set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": bytes(altered)}
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="上传并查验").click()
    assert posted.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text("在盖章后被改动过")
    expect(page.locator("dl.facts")).to_have_count(0)  # an altered copy says nothing of the letter


def test_a_hand_made_file_naming_a_letter_learns_nothing_of_it(platform: Platform, letter: dict[str, str]) -> None:
    """Anyone can write a PDF naming any number: without our intact seal it shows no status, item or date."""
    with httpx.Client(base_url=platform.url, timeout=60) as browser:
        for fake, message in (
            (unsigned_naming(letter["number"]), "这个文件没有电子印章"),
            (deeply_nested(letter["number"]), "这个文件已损坏"),
        ):
            token = FORM_TOKEN.search(browser.get("/verify").text)
            assert token is not None
            answer = browser.post("/verify", data={"form_token": token[1]}, files={"file": ("a.pdf", fake)})
            assert answer.status_code == 422 and message in answer.text
            assert "verify-status" not in answer.text and letter["number"] not in answer.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("notes.pdf", b"hello, not a PDF", "这不是 PDF 文件"), ("empty.pdf", b"", "文件是空的")],
)
def test_a_file_that_is_no_letter_is_explained(page: Page, name: str, content: bytes, message: str) -> None:
    page.goto("/verify")
    page.get_by_label("承诺书的 PDF 文件").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": content}
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="上传并查验").click()
    assert posted.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text(message)


def test_a_large_file_or_a_post_from_elsewhere_is_refused_not_an_error(platform: Platform) -> None:
    with httpx.Client(base_url=platform.url, timeout=60) as browser:
        token = FORM_TOKEN.search(browser.get("/verify").text)
        assert token is not None
        large = b"%PDF-1.7\n" + bytes(10 * 1024 * 1024)
        answer = browser.post("/verify", data={"form_token": token[1]}, files={"file": ("big.pdf", large)})
        assert answer.status_code == 422 and "文件太大" in answer.text
    # another site's form: it cannot know the token kept in this site's cookie
    answer = httpx.post(
        f"{platform.url}/verify", data={"form_token": "guessed"}, files={"file": ("a.pdf", b"%PDF-")}, timeout=60
    )
    assert answer.status_code == 403 and "页面已过期" in answer.text


def test_a_letter_moved_on_shows_its_new_status(page: Page, platform: Platform) -> None:
    made = platform.submit(platform.item("SFJ-001"))
    username, password = platform.staff("SFJ")
    token = httpx.post(f"{platform.url}/api/auth/token", json={"username": username, "password": password})
    staff = {"Authorization": f"Bearer {token.json()['access_token']}"}
    moves = f"{platform.url}/api/letters/{made['number']}/transitions"
    assert httpx.post(moves, json={"to": "accepted"}, headers=staff).status_code == 201
    page.goto(str(made["verify_url"]))
    expect(page.locator(".verify-status")).to_have_text("已受理")
    expect(page.locator(".verdict")).to_contain_text("办理部门已受理，承诺书有效")

    replaced = {"to": "superseded", "reason": "申请人重新作出承诺"}
    assert httpx.post(moves, json=replaced, headers=staff).status_code == 201
    page.reload()
    expect(page.locator(".verify-status")).to_have_text("已被取代")
    expect(page.locator(".verdict")).to_contain_text("现在不能作为有效的承诺使用")


def test_uyghur_reads_right_to_left_and_keeps_the_result(page: Page, letter: dict[str, str]) -> None:
    page.goto(letter["verify_url"])
    page.get_by_role("link", name="ئۇيغۇرچە").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^ug"))
    expect(page.locator(".number").first).to_have_attribute("dir", "ltr")
    expect(page.locator("dl.facts")).to_contain_text(letter["number"])  # still the same result


def test_on_a_phone_nothing_is_cut_and_nothing_comes_from_elsewhere(
    page: Page, platform: Platform, letter: dict[str, str]
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 360, "height": 740})
    for address in ("/verify", letter["verify_url"]):
        page.goto(address)
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert requested and all(url.startswith(platform.url) for url in requested), requested
