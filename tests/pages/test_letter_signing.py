"""The window sees what stood when the letter was signed: the answers under their labels, the notice's
version, the agent, and the credit verdict on both parties with the date of the list it was made on."""

from __future__ import annotations

from datetime import UTC

import httpx
from playwright.sync_api import Page, expect
from sqlmodel import Session

from api.services.credit import last_import
from forms.channels import acting
from forms.clock import BEIJING
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.render.view import LetterView
from forms.sample import sample_letter
from tests.api.uploading import PDF, SIGNER, agent
from tests.pages.conftest import SERVICE_TOKEN, Platform, applicant, log_in, resident_id, screenshot

ITEM = "GAJ-001"  # a person's certification letter with answers of its own, an agent allowed


def _authorisation(platform: Platform) -> str:
    answer = httpx.post(
        f"{platform.url}/api/uploads",
        files={"file": ("scan.pdf", PDF, "application/octet-stream")},
        data={**acting(SIGNER), "purpose": "authorisation"},
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["upload_id"])


def test_the_letter_page_shows_the_answers_notice_version_and_credit_verdict(page: Page, platform: Platform) -> None:
    item = platform.item(ITEM)
    # the list's state at signing: never imported, or the time of the last import before it (the
    # platform is shared with other page tests, which may have imported one earlier)
    with Session(platform.services.engine) as session:
        imported = last_import(session)
    filed = platform.submit(item, applicant=applicant(item, resident_id()), agent=agent(_authorisation(platform)))
    number = str(filed["number"])
    log_in(page, *platform.staff("GAJ"))
    page.goto(f"/letters/{number}")

    signing = page.locator("#signing")
    expect(signing).to_contain_text("签署时的情况")
    expect(page.locator("#notice-version")).to_have_text(item.notice_hash[:16])
    expect(signing).to_contain_text("与现在的告知书相同")
    expect(signing).to_contain_text("李建国")  # the agent, under their own label
    expect(page.locator("#agent-id-number")).to_contain_text("********")
    # three clean years are only told against an imported list
    verdict = "未在失信名单上，可以承诺" if imported is None else "三年内没有失信记录（绿色通道）"
    expect(page.locator("#credit-applicant")).to_have_text(verdict)
    expect(page.locator("#credit-agent")).to_have_text(verdict)
    if imported is not None and imported.tzinfo is None:  # the store keeps UTC
        imported = imported.replace(tzinfo=UTC)
    shown = "核查时还没有导入过失信名单" if imported is None else f"{imported.astimezone(BEIJING):%Y-%m-%d %H:%M}"
    expect(page.locator("#credit-list")).to_have_text(shown)

    # the applicant's answers, each under the item's own label
    shown = LetterView(sample_letter(item, Lang.zh), item, Lang.zh, gettext_for(Lang.zh)).answers
    assert shown
    answers = page.locator("#answers-title + dl")
    for label, text in shown:
        expect(answers).to_contain_text(label)
        expect(answers).to_contain_text(text)
    screenshot(page, "letter-signing")
