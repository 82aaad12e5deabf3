"""The publications page: the four lists, the export, marking rows published and taken down."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from api.store import LetterRecord, Publication
from forms import clock
from forms.workdays import add_working_days
from tests.pages.conftest import Platform, log_in, screenshot


def _row(page: Page, number: str) -> Locator:
    return page.locator("table.publications tbody tr").filter(has=page.get_by_role("link", name=number, exact=True))


def _due_yesterday(platform: Platform, number: str) -> None:
    """Eight working days on, nobody has published it."""
    with Session(platform.services.write_engine) as session:
        publication = session.exec(select(Publication).join(LetterRecord).where(LetterRecord.number == number)).one()
        publication.due_on = clock.today() - timedelta(days=1)
        session.add(publication)
        session.commit()


def test_a_due_letter_is_exported_marked_published_and_moves_tabs(page: Page, platform: Platform) -> None:
    number = str(platform.submit(platform.item("SCJG-001"))["number"])
    late = str(platform.submit(platform.item("SCJG-002"))["number"])
    _due_yesterday(platform, late)
    private = str(platform.submit(platform.item("SFJ-001"))["number"])  # not public: never listed
    log_in(page, *platform.staff("SCJG", "SFJ"))

    page.goto("/publications")
    expect(page.get_by_role("link", name="待公示")).to_have_attribute("aria-current", "page")
    row = _row(page, number)
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name=number)).to_have_attribute("href", f"/letters/{number}")
    expect(row).to_contain_text(platform.item("SCJG-001").name.zh)
    expect(page.get_by_role("link", name=private)).to_have_count(0)
    screenshot(page, "publications")

    # the link the clerk clicks, fetched with the page's session (Chromium's download machinery
    # was seen to cancel under load: what matters here is what the link gives)
    href = page.get_by_role("link", name="导出 CSV 文件").get_attribute("href")
    assert href is not None
    download = page.request.get(href)
    assert download.ok and "attachment" in download.headers.get("content-disposition", "")
    rows = list(csv.DictReader(io.StringIO(download.body().decode("utf-8-sig"))))
    assert number in {r["number"] for r in rows} and late not in {r["number"] for r in rows}
    exported = page.request.get("/api/publications/export?state=due&format=json")
    assert exported.ok and number in {r["number"] for r in exported.json()}

    page.get_by_role("link", name="公示已逾期").click()
    overdue = _row(page, late)
    expect(overdue).to_have_class("late")
    expect(overdue).to_contain_text("已逾期")  # in words, not by colour alone
    screenshot(page, "publications-overdue")

    page.get_by_role("link", name="待公示").click()
    page.get_by_role("checkbox", name=number, exact=True).check()
    page.get_by_role("button", name="把勾选的标记为已公示").click()
    expect(page).to_have_url(f"{platform.url}/publications?state=due&done=published&marked=1")
    expect(page.get_by_role("status")).to_have_text("已将 1 份标记为已公示。")
    expect(_row(page, number)).to_have_count(0)

    page.get_by_role("link", name="已公示").click()
    published = _row(page, number)
    expect(published).to_be_visible()
    expect(published.locator("td").nth(4)).to_contain_text(clock.today().isoformat())
    expect(page.get_by_role("checkbox")).to_have_count(0)  # nothing to mark on this list


def test_a_repaired_letter_is_taken_down_from_the_page(page: Page, platform: Platform) -> None:
    number = str(platform.submit(platform.item("JTJ-001"))["number"])
    username, password = platform.staff("JTJ")
    token = httpx.post(f"{platform.url}/api/auth/token", json={"username": username, "password": password})
    clerk = {"Authorization": f"Bearer {token.json()['access_token']}"}
    httpx.post(f"{platform.url}/api/publications/published", json={"numbers": [number]}, headers=clerk)
    for step in ("accepted", "completed", "broken", "repaired"):
        moved = httpx.post(
            f"{platform.url}/api/letters/{number}/transitions", json={"to": step, "reason": "核查"}, headers=clerk
        )
        assert moved.status_code == 201, moved.text

    log_in(page, username, password)
    page.goto("/publications?state=withdrawal_due")
    row = _row(page, number)
    expect(row).to_be_visible()
    page.get_by_role("checkbox", name="全选").check()  # offered by the page's script
    expect(row.get_by_role("checkbox")).to_be_checked()
    page.get_by_role("button", name="把勾选的标记为已撤下").click()
    expect(page.get_by_role("status")).to_have_text("已将 1 份标记为已撤下。")
    expect(_row(page, number)).to_have_count(0)


def test_marking_is_refused_without_the_token_or_a_choice(page: Page, platform: Platform) -> None:
    number = str(platform.submit(platform.item("SCJG-003"))["number"])
    theirs = str(platform.submit(platform.item("WLJ-001"))["number"])
    log_in(page, *platform.staff("SCJG"))
    page.goto("/publications")

    forged = page.request.post("/publications/published", form={"numbers": number, "state": "due"})
    assert forged.status == 403
    assert "页面已过期，请刷新后再试。" in forged.text()

    token = page.locator("form[action='/publications/published'] input[name=csrf_token]").input_value()
    other = page.request.post("/publications/published", form={"numbers": theirs, "state": "due", "csrf_token": token})
    assert other.status == 404  # another department's letter is not this clerk's to mark
    assert "没有找到" in other.text()

    page.get_by_role("button", name="把勾选的标记为已公示").click()
    expect(page.get_by_role("alert")).to_have_text("请先勾选要标记的承诺书。")
    expect(_row(page, number)).to_be_visible()  # neither attempt marked it

    answer = page.goto("/publications?state=everything")
    assert answer is not None and answer.status == 422
    expect(page.get_by_role("alert")).to_have_text("没有这个列表，请从上面的标签中选择。")
    expect(page.get_by_role("link", name="待公示")).to_be_visible()


def test_the_page_fits_a_tablet(page: Page, platform: Platform) -> None:
    platform.submit(platform.item("SCJG-001"))
    log_in(page, *platform.staff("SCJG"))
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto("/publications")
    expect(page.locator("table.publications")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.goto("/language/ug?next=/publications")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_a_broken_commitment_shows_as_a_dishonesty_record_to_publish_and_take_down(
    page: Page, platform: Platform
) -> None:
    number = str(platform.submit(platform.item("SFJ-001"))["number"])  # not public: only its record goes up
    username, password = platform.staff("SFJ")
    token = httpx.post(f"{platform.url}/api/auth/token", json={"username": username, "password": password})
    clerk = {"Authorization": f"Bearer {token.json()['access_token']}"}
    for step in ("accepted", "completed", "broken"):
        moved = httpx.post(
            f"{platform.url}/api/letters/{number}/transitions", json={"to": step, "reason": "核查不实"}, headers=clerk
        )
        assert moved.status_code == 201, moved.text

    log_in(page, username, password)
    page.goto("/publications")
    row = _row(page, number)
    expect(row).to_contain_text("失信记录")
    expect(row.locator("td").nth(4)).to_contain_text(add_working_days(clock.today(), 7).isoformat())
    national = page.request.get(page.get_by_role("link", name="导出归集模板（中文表头）").get_attribute("href") or "")
    header, *rows = list(csv.reader(io.StringIO(national.body().decode("utf-8-sig"))))
    assert header[:2] == ["承诺编码", "承诺人名称"]
    mine = dict(zip(header, next(r for r in rows if r[0] == number), strict=True))
    assert (
        mine["承诺履行状态"] == "全部未履行" and mine["未履行的承诺内容"] == "核查不实" and mine["备注"] == "失信记录"
    )

    page.get_by_role("checkbox", name=f"{number} 失信记录", exact=True).check()
    page.get_by_role("button", name="把勾选的标记为已公示").click()
    expect(page.get_by_role("status")).to_have_text("已将 1 份标记为已公示。")
    expect(_row(page, number)).to_have_count(0)

    repaired = httpx.post(
        f"{platform.url}/api/letters/{number}/transitions", json={"to": "repaired", "reason": "已修复"}, headers=clerk
    )
    assert repaired.status_code == 201
    page.goto("/publications?state=withdrawal_due")
    expect(_row(page, number)).to_contain_text(add_working_days(clock.today(), 3).isoformat())
    page.get_by_role("checkbox", name=f"{number} 失信记录", exact=True).check()
    page.get_by_role("button", name="把勾选的标记为已撤下").click()
    expect(page.get_by_role("status")).to_have_text("已将 1 份标记为已撤下。")
    expect(_row(page, number)).to_have_count(0)
