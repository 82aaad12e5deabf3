"""A window clerk's day with one letter, in the browser: find it by ID number, open it, take it
from signed to kept, and see that the applicant is told at every step."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from api.store import AccessLog, LetterRecord, OutboxMessage
from forms.i18n import gettext_for
from forms.languages import Lang
from tests.pages.conftest import Platform, applicant, log_in, resident_id, screenshot

MISSING_MATERIAL_ITEM = "SCJG-001"  # 容缺受理 by a person: accepted now, the material handed in later


def _file(platform: Platform, item_code: str = MISSING_MATERIAL_ITEM) -> tuple[str, str]:
    item = platform.item(item_code)
    id_number = resident_id()
    filed = platform.submit(item, applicant=applicant(item, id_number))
    return str(filed["number"]), id_number


def _move(page: Page, button: str, status: str, reason: str = "") -> None:
    form = page.locator("form.move", has=page.get_by_role("button", name=button, exact=True))
    if reason:
        form.get_by_role("textbox").fill(reason)
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"已改为：{status}。申请人会收到通知。")
    expect(page.locator("h1 .status")).to_have_text(status)


def test_a_clerk_finds_a_letter_by_id_and_takes_it_to_kept(page: Page, platform: Platform) -> None:
    number, id_number = _file(platform)
    username, password = platform.staff("SCJG")
    log_in(page, username, password)
    # the day's work: the new letter is among today's and among those waiting to be accepted
    expect(page.locator("#new").get_by_role("link", name=number)).to_be_visible()
    expect(page.locator("#accept").get_by_role("link", name=number)).to_be_visible()
    expect(page.locator("#overdue")).not_to_contain_text(number)
    screenshot(page, "dashboard-with-work")

    page.get_by_label("编号、证件号码或姓名").fill(id_number)
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("共找到 1 份承诺书")).to_be_visible()
    expect(page.get_by_label("证件号码", exact=True)).to_have_value(id_number)
    screenshot(page, "search")
    page.get_by_role("link", name=number).click()

    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("h1 .status")).to_have_text("待受理")
    expect(page.locator("#id-number")).to_have_text(f"{id_number[:6]}********{id_number[-4:]}")
    expect(page.locator("#seal")).to_have_text(re.compile("印章有效"))
    expect(page.locator("iframe.pdf")).to_have_attribute("src", f"/api/letters/{number}/pdf")
    screenshot(page, "letter")

    _move(page, "受理", "已受理")
    _move(page, "登记待补交材料", "待补交材料")
    _move(page, "登记材料已补交", "已补交材料")
    _move(page, "办结", "已办结")
    _move(page, "核查属实：已践诺", "已践诺", reason="现场核查属实")
    screenshot(page, "letter-kept")

    events = page.locator("#events-title + .table-wrap tbody tr")
    expect(events).to_have_count(6)  # signed, then the five moves
    expect(events.last).to_contain_text(username)
    expect(events.last).to_contain_text("现场核查属实")
    notices = page.locator("#notices tbody tr")
    expect(notices).to_have_count(5)
    expect(notices.last).to_contain_text("状态变化通知 · 已践诺")
    expect(notices.last).to_contain_text("等待发送")

    # the notice waits in the outbox for the bot's courier, in the applicant's language
    with Session(platform.services.engine) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        waiting = session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)).all()
    last = json.loads(waiting[-1].payload)
    assert (last["to_status"], last["language"], last["reason"]) == ("kept", "zh", "现场核查属实")
    assert waiting[-1].acked_at is None and (waiting[-1].channel, waiting[-1].channel_user) == (
        letter.channel,
        letter.channel_user,
    )


def test_showing_the_full_id_is_logged(page: Page, platform: Platform) -> None:
    number, id_number = _file(platform)
    username, password = platform.staff("SCJG")
    log_in(page, username, password)
    page.goto(f"/letters/{number}")
    page.get_by_role("button", name="显示完整号码（会记录）").click()
    expect(page.locator("#id-number")).to_have_text(id_number)
    expect(page.get_by_text("完整号码的查看已记录在访问日志中。")).to_be_visible()
    assert id_number not in page.url
    with Session(platform.services.engine) as session:
        logged = session.exec(select(AccessLog).where(AccessLog.action == "reveal")).all()
    assert any(entry.at and entry.staff_id for entry in logged)


def test_a_move_that_needs_a_reason_is_refused_without_one(page: Page, platform: Platform) -> None:
    number, _ = _file(platform, "SFJ-001")
    username, password = platform.staff("SFJ")
    log_in(page, username, password)
    page.goto(f"/letters/{number}")
    _move(page, "受理", "已受理")
    _move(page, "办结", "已办结")
    # the browser insists on the reason; a form sent without it is refused by the server as well
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        f"/letters/{number}/move", form={"to": "broken", "reason": " ", "csrf_token": token or ""}
    )
    assert answer.status == 422
    assert "请填写原因" in answer.text()
    page.reload()
    expect(page.locator("h1 .status")).to_have_text("已办结")


def test_a_clerk_of_another_department_cannot_open_the_letter(page: Page, platform: Platform) -> None:
    number, id_number = _file(platform)
    username, password = platform.staff("SFJ")
    log_in(page, username, password)
    response = page.goto(f"/letters/{number}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_have_text("没有找到。它不存在，或者不属于您的部门。")
    page.goto(f"/letters?id_number={id_number}")
    expect(page.get_by_text("共找到 0 份承诺书")).to_be_visible()
    assert page.request.get(f"/api/letters/{number}/pdf").status == 404


def test_a_form_without_the_csrf_token_is_refused(page: Page, platform: Platform) -> None:
    number, _ = _file(platform)
    username, password = platform.staff("SCJG")
    log_in(page, username, password)
    answer = page.request.post(f"/letters/{number}/move", form={"to": "accepted"})
    assert answer.status == 403
    assert "页面已过期，请刷新后再试。" in answer.text()
    page.goto(f"/letters/{number}")
    expect(page.locator("h1 .status")).to_have_text("待受理")


def test_five_wrong_passwords_slow_the_account_down(page: Page, platform: Platform) -> None:
    username, password = platform.staff("SFJ")
    messages = []
    for _ in range(5):
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
        messages.append(page.get_by_role("alert").inner_text())
    assert messages[:3] == ["用户名或密码不对。"] * 3
    assert all(m.startswith("密码错误次数太多") for m in messages[3:]), messages
    expect(page.get_by_label("用户名")).to_have_value(username)  # kept for the next try
    screenshot(page, "login-slowed")
    # slowed down, not locked out: after the wait it names, the right password works
    seconds = int(re.findall(r"\d+", messages[-1])[0])
    page.wait_for_timeout(seconds * 1000 + 200)
    log_in(page, username, password)


def test_the_letter_page_fits_a_tablet_and_prints(page: Page, platform: Platform) -> None:
    number, _ = _file(platform)
    username, password = platform.staff("SCJG")
    log_in(page, username, password)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"/letters/{number}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "letter-tablet")
    page.get_by_role("link", name="打印视图").click()
    expect(page.get_by_role("heading", name="信用承诺书（容缺受理型）")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    screenshot(page, "letter-print")


def test_the_pages_switch_to_uyghur_right_to_left(page: Page, platform: Platform) -> None:
    username, password = platform.staff("SCJG")
    log_in(page, username, password)
    page.get_by_role("link", name="ئۇيغۇرچە").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ug")
    in_uyghur = gettext_for(Lang.ug)
    expect(page.get_by_role("heading", name=re.compile(in_uyghur("今日工作")))).to_be_visible()
    expect(page.get_by_role("button", name=in_uyghur("退出"))).to_be_visible()
    assert in_uyghur("今日工作") != "今日工作"
    screenshot(page, "dashboard-ug")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def test_a_clerk_logs_in_with_the_keyboard_alone(page: Page, platform: Platform) -> None:
    username, password = platform.staff("SCJG")
    page.goto("/login")
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("今日工作"))).to_be_visible()
    expect(page.get_by_label("编号、证件号码或姓名")).to_be_focused()
    page.keyboard.type("SFJ-2026-")
    expect(page.get_by_label("编号、证件号码或姓名")).to_have_value("SFJ-2026-")
