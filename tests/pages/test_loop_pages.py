"""The loop at the window, in the browser: refuse with a reason; order rectification within working
days, see it late on the dashboard, then record it kept; answer an objection."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, col, select

from api.services.auth import Role
from api.services.credit import import_as
from api.services.publications import mark
from api.store import LetterRecord, Objection, OutboxMessage, Publication
from forms import clock
from forms.channels import acting
from forms.workdays import add_working_days
from tests.api.uploading import SIGNER
from tests.pages.conftest import SERVICE_TOKEN, Platform, applicant, log_in, resident_id, screenshot


def _filed(platform: Platform, code: str = "SFJ-001") -> str:
    item = platform.item(code)
    return str(platform.submit(item, applicant=applicant(item, resident_id()))["number"])


def _form(page: Page, button: str) -> Locator:
    return page.locator("form.move", has=page.get_by_role("button", name=button, exact=True))


def _move(page: Page, button: str, status: str, reason: str = "") -> None:
    form = _form(page, button)
    if reason:
        form.get_by_role("textbox").fill(reason)
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("h1 .status")).to_have_text(status)


def _outbox(platform: Platform, number: str) -> list[OutboxMessage]:
    with Session(platform.services.engine) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)
                                 .order_by(col(OutboxMessage.id))))  # fmt: skip


def test_a_clerk_refuses_a_letter_with_a_reason(page: Page, platform: Platform) -> None:
    number = _filed(platform)
    log_in(page, *platform.staff("SFJ"))
    page.goto(f"/letters/{number}")
    _move(page, "不予受理", "不予受理", reason="申请事项不属于本部门职权范围")
    expect(page.get_by_role("status")).to_have_text("已改为：不予受理。申请人会收到通知。")
    events = page.locator("#events-title + .table-wrap tbody tr")
    expect(events.last).to_contain_text("申请事项不属于本部门职权范围")
    expect(page.locator("#notices tbody tr").last).to_contain_text("状态变化通知 · 不予受理")
    expect(page.locator("form.move")).to_have_count(0)  # nothing more for the window to do
    screenshot(page, "letter-refused")
    told = json.loads(_outbox(platform, number)[-1].payload)
    assert (told["to_status"], told["reason"]) == ("refused", "申请事项不属于本部门职权范围")


def test_a_clerk_orders_rectification_sees_it_late_and_records_it_kept(page: Page, platform: Platform) -> None:
    number = _filed(platform)
    log_in(page, *platform.staff("SFJ"))
    page.goto(f"/letters/{number}")
    _move(page, "受理", "已受理")
    _move(page, "办结", "已办结")

    # without the working days the server refuses it too, and says what is missing
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    fields: dict[str, str | float | bool] = {"to": "rectification_due", "reason": "消防通道堵塞", "csrf_token": token}
    bare = page.request.post(f"/letters/{number}/move", form=fields)
    assert bare.status == 422 and "请填写整改期限" in bare.text()
    page.reload()

    form = _form(page, "核查：责令限期整改")
    form.get_by_label("原因（必填）").fill("现场核查发现消防通道堵塞")
    form.get_by_label("整改期限（工作日）").fill("5")
    form.get_by_role("button", name="核查：责令限期整改").click()
    expect(page.locator("h1 .status")).to_have_text("限期整改中")
    due = add_working_days(clock.today(), 5)
    expect(page.locator("#rectification-due")).to_have_text(due.isoformat())
    told = json.loads(_outbox(platform, number)[-1].payload)
    assert (told["to_status"], told["due_on"]) == ("rectification_due", due.isoformat())
    screenshot(page, "letter-rectification")

    page.goto("/")
    expect(page.locator("#rectify")).not_to_contain_text(number)
    with Session(platform.services.write_engine) as session:  # the days pass and nobody checks again
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        letter.rectification_due_on = clock.today() - timedelta(days=1)
        session.add(letter)
        session.commit()
    page.reload()
    expect(page.locator("#rectify").get_by_role("link", name=number)).to_be_visible()
    expect(page.locator("#count-rectify")).to_have_class("count alert")
    screenshot(page, "dashboard-rectification-late")

    page.locator("#rectify").get_by_role("link", name=number).click()
    _move(page, "核查属实：已践诺", "已践诺", reason="复查已整改到位")
    assert json.loads(_outbox(platform, number)[-1].payload)["to_status"] == "kept"
    page.goto("/")
    expect(page.locator("#rectify")).not_to_contain_text(number)


def test_a_clerk_answers_an_objection(page: Page, platform: Platform) -> None:
    number = str(platform.submit(platform.item("SCJG-002"))["number"])  # public
    with Session(platform.services.write_engine) as session:
        mark(session, "test", None, [number], withdrawn=False)
    objected = httpx.post(f"{platform.url}/api/letters/{number}/objections",
                          json={**acting(SIGNER), "text": "公示的企业名称有误"},
                          headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, timeout=30)  # fmt: skip
    assert objected.status_code == 201, objected.text
    log_in(page, *platform.staff("SCJG"))
    expect(page.locator("#objections")).to_contain_text("公示的企业名称有误")
    page.locator("#objections").get_by_role("link", name=number).click()

    answer = page.locator(f"#objection-{objected.json()['id']}")
    answer.get_by_role("button", name="答复异议").click()  # nothing chosen: the browser asks first
    expect(page.get_by_role("status")).to_have_count(0)
    answer.get_by_label("异议成立").check()
    answer.get_by_label("处理意见（必填，申请人会看到）").fill("名称录入有误，撤下更正后重新公示")
    answer.get_by_role("button", name="答复异议").click()
    expect(page.get_by_role("status")).to_have_text("异议已答复。申请人会收到通知。")
    done = page.locator(f"#objection-{objected.json()['id']}")
    expect(done).to_contain_text("异议成立")
    expect(done).to_contain_text("名称录入有误，撤下更正后重新公示")
    expect(done.get_by_role("button", name="答复异议")).to_have_count(0)
    expect(page.locator("#notices tbody tr").last).to_contain_text("异议处理结果")
    screenshot(page, "letter-objection-answered")

    told = [json.loads(m.payload) for m in _outbox(platform, number) if m.kind == "objection_resolved"]
    assert [(n["outcome"], n["reason"]) for n in told] == [("upheld", "名称录入有误，撤下更正后重新公示")]
    with Session(platform.services.engine) as session:
        publication = session.exec(select(Publication).join(LetterRecord).where(LetterRecord.number == number)).one()
        assert publication.withdrawal_due_on == add_working_days(clock.today(), 3)
        assert session.exec(select(Objection).where(Objection.id == objected.json()["id"])).one().outcome == "upheld"


def test_the_credit_office_answers_an_objection_to_a_refusal_and_records_a_repair(
    page: Page, platform: Platform
) -> None:
    objecting, repairing = resident_id(), resident_id()
    rows = "".join(f"{n},马建国,法院判决未履行,2025-06-01\n" for n in (objecting, repairing))
    import_as(platform.services, "tests", f"id_number,name,reason,listed_on\n{rows}".encode(), dry_run=False)
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    try:
        objection = {**acting(SIGNER), "id_number": objecting, "text": "判决已履行完毕，有结案证明"}
        made = httpx.post(f"{platform.url}/api/credit/objections", headers=service, timeout=30, json=objection)
        assert made.status_code == 201, made.text
        log_in(page, *platform.staff(role=Role.admin))
        expect(page.locator("#count-objections")).not_to_contain_text("0")
        page.locator("#objections").get_by_role("link", name="信用核查结果").first.click()
        answer = page.locator(f"#objection-{made.json()['id']}")
        expect(answer).to_contain_text("判决已履行完毕，有结案证明")
        answer.get_by_label("异议成立").check()
        answer.get_by_label("处理意见（必填，申请人会看到）").fill("结案证明属实，解除限制")
        answer.get_by_role("button", name="答复异议").click()
        expect(page.get_by_role("status")).to_have_text("异议已答复。申请人会收到通知。")
        expect(page.locator(f"#objection-{made.json()['id']}")).to_have_count(0)
        checked = httpx.post(f"{platform.url}/api/credit/check", json={"id_number": objecting}, headers=service)
        assert checked.json()["eligible"] is True

        page.get_by_label("证件号码").fill(repairing)
        page.get_by_label("修复依据（必填）").fill("已履行判决并完成信用修复")
        page.get_by_role("button", name="登记信用修复").click()
        expect(page.get_by_role("status")).to_contain_text("1 条记录移出名单")
        screenshot(page, "credit-repair-recorded")
        checked = httpx.post(f"{platform.url}/api/credit/check", json={"id_number": repairing}, headers=service)
        assert checked.json()["eligible"] is True
        page.get_by_label("证件号码").fill(repairing)
        page.get_by_label("修复依据（必填）").fill("再登记一次")
        page.get_by_role("button", name="登记信用修复").click()
        expect(page.get_by_role("alert")).to_have_text("这个主体没有需要修复的失信记录。")
    finally:
        import_as(platform.services, "tests", b"id_number,name,reason,listed_on\n", dry_run=False)


def test_a_clerk_revokes_with_a_reason_and_a_sanction(page: Page, platform: Platform) -> None:
    item = platform.item("SFJ-001")
    id_number = resident_id()
    number = str(platform.submit(item, applicant=applicant(item, id_number))["number"])
    log_in(page, *platform.staff("SFJ"))
    page.goto(f"/letters/{number}")
    _move(page, "受理", "已受理")
    _move(page, "办结", "已办结")
    form = _form(page, "撤销（以不实承诺取得）")
    form.get_by_label("原因（必填）").fill("承诺的无犯罪记录不实")
    form.get_by_label("处理措施").select_option(label="不再适用告知承诺制，今后按原审批程序办理")
    form.get_by_role("button", name="撤销（以不实承诺取得）").click()
    expect(page.locator("h1 .status")).to_have_text("已撤销")
    expect(page.locator("#events-title + .table-wrap tbody tr").last).to_contain_text("不再适用告知承诺制")
    told = json.loads(_outbox(platform, number)[-1].payload)
    assert (told["to_status"], told["sanction"]) == ("revoked", "no_commitment_route")
    checked = httpx.post(f"{platform.url}/api/credit/check", json={"id_number": id_number},
                         headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, timeout=30)  # fmt: skip
    assert checked.json() == {"eligible": False, "reason": "false_commitment"}
