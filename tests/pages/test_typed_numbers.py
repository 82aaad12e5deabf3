"""Numbers as people bring them to a page: a letter number and code copied out of the bot's message
(with its invisible isolate marks), an identity document's number typed with spaces and lower case."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from forms.letter import IdType
from tests.pages.conftest import Platform, applicant, log_in, resident_id

ISOLATED = "\u2066{}\u2069"  # what forms.i18n.left_to_right puts around every number the bot sends


def test_a_number_and_code_pasted_from_the_chat_verify_the_letter(page: Page, platform: Platform) -> None:
    letter = platform.submit(platform.item("SFJ-001"), applicant=applicant(platform.item("SFJ-001"), resident_id()))
    number, code = str(letter["number"]), str(letter["verify_code"])
    page.goto("/verify")
    page.get_by_label("编号", exact=True).fill(ISOLATED.format(number))
    page.get_by_label("核验码", exact=True).fill(ISOLATED.format(code))
    page.get_by_role("button", name="查验", exact=True).click()
    expect(page).to_have_url(f"{platform.url}/verify/{number}?code={code}")
    expect(page.locator(".finding", has_text="平台保存的原件完好")).to_be_visible()

    answer = page.goto(f"/verify/{ISOLATED.format(number)}?code={code.lower().replace('-', '')}")
    assert answer is not None and answer.status == 200  # the QR's address, hand-typed
    answer = page.goto(f"/verify/{number}?code=%C3%84BCD-2345")  # not a code at all: said so, never a 500
    assert answer is not None and answer.status == 422
    expect(page.get_by_role("alert")).to_have_text(re.compile("核验码的格式不对"))


def test_the_clerks_box_finds_a_pasted_number_and_a_passport_typed_loosely(page: Page, platform: Platform) -> None:
    item = platform.item("MZJ-001")
    passport = f"E{resident_id()[-8:-1]}1"  # E and 8 digits, this test's own
    holder = applicant(item, passport).model_copy(update={"id_type": IdType.passport})
    number = str(platform.submit(item, applicant=holder)["number"])
    log_in(page, *platform.staff("MZJ"))

    page.get_by_label("编号、证件号码或姓名").fill(ISOLATED.format(number))
    page.get_by_role("button", name="查找").click()
    expect(page).to_have_url(f"{platform.url}/letters/{number}")  # a number names one letter: opened

    page.goto("/")
    page.get_by_label("编号、证件号码或姓名").fill(f"{passport[:1].lower()} {passport[1:5]} {passport[5:]}")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("共找到 1 份承诺书")).to_be_visible()
    page.get_by_role("link", name=number).click()
    expect(page.locator("dl").first).to_contain_text("中华人民共和国护照")  # the kind, by its name
