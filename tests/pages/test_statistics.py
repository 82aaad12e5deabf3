"""The statistics page: letters per Beijing day, item, status and window, drawn as inline SVG."""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from api.pages.words import Words
from api.services.auth import Role
from api.services.statistics import Period, PeriodRefused, statistics
from api.store import LetterRecord, Window, WindowDepartment
from api.store.engine import make_engine, migrate
from forms import clock
from forms.i18n import TEMPLATES_DIR as TEMPLATES
from forms.i18n import environment, gettext_for
from forms.languages import Lang
from tests.api.conftest import _postgres_schema_url
from tests.pages.conftest import Platform, log_in, screenshot

STORES = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])


@pytest.fixture(params=STORES)
def engine(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Engine]:
    urls = _postgres_schema_url() if request.param == "postgresql" else iter([f"sqlite:///{tmp_path}/store.db"])
    made = make_engine(next(urls))
    migrate(made)
    yield made
    made.dispose()
    next(urls, None)  # drops the PostgreSQL schema


def _letter(session: Session, department: str, item: str, status: str, signed_at: datetime) -> None:
    """A bare row: the statistics read the department, item, status and signing time only."""
    sequence = secrets.randbelow(10**9)
    session.add(
        LetterRecord(
            number=f"{department}-T-{sequence}",
            department_code=department,
            year=signed_at.year,
            sequence=sequence,
            item_code=item,
            commitment_type="other",
            status=status,
            applicant_kind="person",
            applicant_name="测试",
            id_type="resident_id",
            id_hash=secrets.token_hex(8),
            id_masked="1****1",
            id_encrypted=b"x",
            phone_masked="1****1",
            phone_encrypted=b"x",
            language="zh",
            public=False,
            channel="telegram",
            signed_at=signed_at,
            valid_until=signed_at.date(),
            content_hash="h",
            notice_hash="h",
            verify_code="v",
            document=b"x",
            created_at=signed_at,
            updated_at=signed_at,
        )
    )


def test_days_are_beijing_days_on_every_store(engine: Engine) -> None:
    """23:30 and 00:30 in Beijing are 15:30 and 16:30 UTC of the same UTC day, on two Beijing days."""
    late = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 2026-03-01 23:30 in Beijing
    early = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 2026-03-02 00:30 in Beijing
    with Session(engine) as session:
        _letter(session, "SFJ", "SFJ-001", "signed", late)
        _letter(session, "SFJ", "SFJ-001", "accepted", early)
        _letter(session, "SCJG", "SCJG-001", "signed", early)
        _letter(session, "SFJ", "SFJ-001", "signed", datetime(2026, 2, 28, 15, 59, tzinfo=UTC))  # 02-28 23:59
        for name, served in (("一号窗口", ["SFJ", "SCJG"]), ("二号窗口", ["SFJ"]), ("三号窗口", ["JTJ"])):
            window = Window(name=name)
            session.add(window)
            session.flush()
            assert window.id is not None
            session.add_all(WindowDepartment(window_id=window.id, department_code=code) for code in served)
        session.commit()

        period = Period.between(date(2026, 3, 1), date(2026, 3, 2))
        every = statistics(session, None, period)
        assert every.per_day == [(date(2026, 3, 1), 1), (date(2026, 3, 2), 2)]
        assert every.total == 3
        assert every.per_item == [("SFJ-001", 2), ("SCJG-001", 1)]
        assert every.per_status == [("signed", 2), ("accepted", 1)]  # the workflow's order
        windows = {w.name: (w.count, w.departments) for w in every.per_window}
        # SFJ's two letters count under both windows that serve SFJ
        assert windows == {"一号窗口": (3, ("SCJG", "SFJ")), "二号窗口": (2, ("SFJ",)), "三号窗口": (0, ("JTJ",))}

        sfj = statistics(session, frozenset({"SFJ"}), period)
        assert sfj.total == 2 and sfj.per_item == [("SFJ-001", 2)]
        assert {w.name: (w.count, w.departments) for w in sfj.per_window} == {
            "一号窗口": (2, ("SFJ",)),
            "二号窗口": (2, ("SFJ",)),
        }
        assert statistics(session, frozenset(), period).total == 0


def test_a_period_is_ordered_and_at_most_a_year() -> None:
    with pytest.raises(PeriodRefused) as refused:
        Period.between(date(2026, 3, 2), date(2026, 3, 1))
    assert refused.value.reason == "order"
    with pytest.raises(PeriodRefused) as refused:
        Period.between(date(2025, 1, 1), date(2026, 1, 2))
    assert refused.value.reason == "too_long"
    assert len(Period.ending(date(2026, 3, 1)).days()) == 30


def _count(page: Page, chart: str, label: str) -> int:
    """The number in a chart's table for one label (0 if the label is not there)."""
    rows = page.locator(f"section[aria-labelledby='{chart}-heading'] details tbody tr").filter(has_text=label)
    if rows.count() == 0:
        return 0
    return int((rows.first.locator("td").first.text_content() or "0").strip())


def test_a_clerk_sees_the_letters_filed_as_bars_drawn_here(page: Page, platform: Platform) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    item = platform.item("SFJ-001")
    name = item.name.zh
    log_in(page, *platform.staff("SFJ"))
    page.goto("/statistics")
    before = _count(page, "per-item", name)
    for _ in range(2):
        platform.submit(item)
    page.reload()

    expect(page.get_by_role("heading", name="统计", level=1)).to_be_visible()
    assert _count(page, "per-item", name) == before + 2
    chart = page.get_by_role("img", name="按事项")
    expect(chart).to_be_visible()
    assert chart.evaluate("svg => svg.tagName") == "svg"  # inline, in the page itself
    bar = page.locator("#per-item rect.bar").filter(has=page.locator("title", has_text=f"{name}: {before + 2}"))
    expect(bar).to_have_count(1)
    assert bar.bounding_box()["width"] > 0  # type: ignore[index]
    expect(page.locator("#per-day rect.bar").last).to_be_visible()
    today = clock.today().isoformat()
    assert _count(page, "per-day", today) >= 2

    # the numbers open from the keyboard, under the chart
    numbers = page.locator("section[aria-labelledby='per-item-heading'] details")
    numbers.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(numbers.get_by_role("table")).to_be_visible()
    screenshot(page, "statistics")

    assert requested and all(url.startswith(platform.url) for url in requested), requested


def test_a_clerk_counts_only_the_letters_of_their_departments(page: Page, platform: Platform) -> None:
    platform.submit(platform.item("MZJ-001"))
    platform.submit(platform.item("SCJG-001"))
    mine, theirs = platform.item("MZJ-001").name.zh, platform.item("SCJG-001").name.zh

    log_in(page, *platform.staff("MZJ"))
    page.goto("/statistics")
    assert _count(page, "per-item", mine) >= 1
    assert _count(page, "per-item", theirs) == 0
    expect(page.locator("#per-item")).not_to_contain_text(theirs)
    expect(page.get_by_text("只统计您所在部门的承诺书。")).to_be_visible()
    windows = page.locator("section[aria-labelledby='per-window-heading'] details tbody")
    assert "民政" in (windows.text_content() or "")  # every window shown serves MZJ…
    assert "市场监督" not in (windows.text_content() or "")  # …and is counted for MZJ only

    page.context.clear_cookies()
    log_in(page, *platform.staff(role=Role.admin))
    page.goto("/statistics")
    assert _count(page, "per-item", mine) >= 1 and _count(page, "per-item", theirs) >= 1


def test_a_period_is_chosen_and_a_wrong_one_explained(page: Page, platform: Platform) -> None:
    platform.submit(platform.item("SFJ-001"))
    log_in(page, *platform.staff("SFJ"))
    page.goto("/statistics")
    today = clock.today().isoformat()
    page.get_by_label("开始日期").fill(today)
    page.get_by_label("结束日期").fill(today)
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(f"{platform.url}/statistics?from={today}&to={today}")
    expect(page.locator("section[aria-labelledby='per-day-heading'] tbody tr")).to_have_count(1)

    year_ago = (clock.today() - timedelta(days=365)).isoformat()  # `from` alone runs to today
    answer = page.goto(f"/statistics?from={year_ago}")
    assert answer is not None and answer.status == 200
    expect(page.locator("section[aria-labelledby='per-day-heading'] tbody tr")).to_have_count(366)
    assert page.locator("#per-day text.value").count() == 0  # no room for them: the table has them

    for query, problem in (
        ("from=2026-13-40", "日期要写成 年-月-日，例如 2026-03-01。"),
        ("from=2026-03-02&to=2026-03-01", "开始日期不能晚于结束日期。"),
        ("from=2020-01-01&to=2026-01-01", "一次最多统计 366 天。"),
    ):
        answer = page.goto(f"/statistics?{query}")
        assert answer is not None and answer.status == 422
        expect(page.get_by_role("alert")).to_have_text(problem)
        expect(page.get_by_role("img")).to_have_count(0)


def test_the_charts_fit_a_tablet_and_read_right_to_left(page: Page, platform: Platform) -> None:
    platform.submit(platform.item("SFJ-001"))
    log_in(page, *platform.staff("SFJ"))
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto("/statistics")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    page.goto("/language/ug?next=/statistics")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # every label of a bar chart lies inside its chart, starting from the right, and none is cut
    inside = page.evaluate(
        """() => [...document.querySelectorAll('svg.bars')].every(svg => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('.bar-label')].every(t => {
                const r = t.getBoundingClientRect();
                return r.left >= box.left - 1 && r.right <= box.right + 1 && t.scrollHeight <= t.clientHeight + 1
                    && getComputedStyle(t).direction === 'rtl';
            });
        })"""
    )
    assert inside
    screenshot(page, "statistics-ug")


def test_long_item_names_wrap_rather_than_being_cut_on_a_phone(page: Page, platform: Platform) -> None:
    longest = max(platform.services.catalogue.items.values(), key=lambda item: len(item.name(Lang.ug)))
    platform.submit(longest)  # JTJ-002's Uyghur name runs to six lines on a phone
    log_in(page, *platform.staff(role=Role.admin))
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/language/ug?next=/statistics")
    labels = page.locator("#per-item .bar-label")
    assert labels.count() > 0
    cut = labels.evaluate_all(
        # cut: taller than the room its chart gives it, or wider than the label itself
        "ls => ls.filter(l => l.getBoundingClientRect().height > l.parentElement.getBoundingClientRect().height + 1"
        " || l.scrollWidth > l.clientWidth + 1).map(l => l.textContent)"
    )
    assert cut == [], cut
    screenshot(page, "statistics-ug-360")


@pytest.mark.parametrize("days", [7, 30, 365])
def test_the_day_charts_dates_and_numbers_do_not_run_into_each_other_on_a_phone(
    page: Page, platform: Platform, days: int
) -> None:
    """At 320 px (a small phone, or 400 % zoom), 683 and 1366, a busy period (a letter count of two or
    three digits every day): the dates under the bars and the numbers over them are thinned out rather
    than printed over one another, and enough dates stay to read the chart by."""
    last = clock.today()
    rows = [(last - timedelta(days=days - 1 - n), 10 + (n * 37) % 990) for n in range(days)]
    template = environment().from_string(
        '{% from "pages/_charts.html" import day_chart with context %}'
        '<!doctype html><html lang="zh"><head><meta name="viewport" content="width=device-width">'
        "<style>{{ css }}</style></head>"
        "<body><main>{{ day_chart('per-day', 'days', rows, total) }}</main></body></html>"
    )
    css = "".join((TEMPLATES / "static" / name).read_text() for name in ("pages.css", "charts.css"))
    html = template.render(_=gettext_for(Lang.zh), lang=Lang.zh, w=Words(Lang.zh, platform.services.catalogue),
                           css=css, rows=rows, total=sum(count for _, count in rows))  # fmt: skip
    for width in (320, 683, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        page.set_content(html)
        for kind in ("tick", "value"):
            boxes = page.locator(f"#per-day text.{kind}").evaluate_all(
                "ts => ts.map(t => t.getBoundingClientRect()).filter(b => b.width > 0).map(b => [b.left, b.right])"
            )
            overlaps = [(a, b) for a, b in itertools.pairwise(boxes) if b[0] < a[1] + 2]
            assert overlaps == [], f"{kind}s of {days} days at {width} px: {overlaps}"
        chart = page.locator("#per-day").bounding_box()
        assert chart is not None
        ticks = page.locator("#per-day text.tick").evaluate_all(
            "ts => ts.map(t => t.getBoundingClientRect()).filter(b => b.width > 0).map(b => [b.left, b.right])"
        )
        cut = [box for box in ticks if box[0] < chart["x"] - 0.5 or box[1] > chart["x"] + chart["width"] + 0.5]
        assert cut == [], f"dates cut by the chart's edge at {width} px: {cut}"
        shown = len(ticks)
        assert shown >= min(days, 4), f"{shown} dates of {days} days at {width} px"
        if width == 320:
            screenshot(page, f"statistics-{days}-days-320")
