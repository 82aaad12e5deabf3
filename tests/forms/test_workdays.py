"""Working days: the State Council's calendar, Xinjiang's own holidays from the holidays file, and a
warning, not a silent Monday-to-Friday, for a year nobody has the calendar of."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from forms import workdays
from forms.holidays import BUILTIN, HolidayCalendar, HolidaysProblem, holidays_file, load_holidays
from forms.workdays import add_working_days, calendar_warning, is_working_day, missing_years, use_calendar


@pytest.fixture(autouse=True)
def _builtin_calendar() -> Iterator[None]:
    use_calendar(load_holidays())
    yield
    use_calendar(load_holidays())


def test_a_xinjiang_holiday_is_not_a_working_day() -> None:
    eid = date(2025, 3, 31)  # 肉孜节 2025, a Monday the State Council's calendar works
    assert not is_working_day(eid)
    assert add_working_days(date(2025, 3, 28), 1) == date(2025, 4, 1)
    assert [d for d in (date(2025, 6, 6), date(2025, 6, 9), date(2025, 6, 10)) if is_working_day(d)] == []  # 古尔邦节
    assert is_working_day(date(2025, 6, 11))
    assert not is_working_day(date(2025, 10, 1))  # the national calendar still counts


def test_the_file_holds_both_festivals_for_2024_to_2027_and_says_which_are_unconfirmed() -> None:
    calendar = load_holidays()
    for year in (2024, 2025, 2026, 2027):
        names = {d.name for d in calendar.days_off if d.date.year == year}
        assert "肉孜节" in names, year
    assert {d.name for d in calendar.days_off if d.date.year in (2025, 2026, 2027)} >= {"肉孜节", "古尔邦节"}
    assert all(d.source for d in calendar.days_off)
    assert calendar.unconfirmed(2025) == [] and calendar.unconfirmed(2027)


def test_a_county_extends_the_file_with_days_off_and_weekend_working_days(tmp_path: Path) -> None:
    (tmp_path / "holidays.yaml").write_text(
        "days_off:\n  - {date: 2026-07-15, name: 县庆, source: 县人民政府通知, confirmed: true}\n"
        "working_days:\n  - {date: 2026-07-18, name: 县庆调休上班, confirmed: true}\n",
        encoding="utf-8",
    )
    assert holidays_file(tmp_path) == tmp_path / "holidays.yaml"
    assert holidays_file(tmp_path / "elsewhere") == BUILTIN
    use_calendar(load_holidays(holidays_file(tmp_path)))
    assert not is_working_day(date(2026, 7, 15))  # a Wednesday off
    assert is_working_day(date(2026, 7, 18))  # a Saturday worked


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("working_days:\n  - {date: 2026-07-15, name: 周三}\n", "only a weekend day"),
        ("days_off:\n  - {date: 2026-07-18, name: a}\nworking_days:\n  - {date: 2026-07-18, name: b}\n", "both"),
        ("days_off:\n  - {date: 2026-02-30, name: 无此日}\n", "out of range"),
        ("days_off:\n  - {date: 2026-07-15, name: x, colour: red}\n", "days_off.0.colour"),
        ("days_off:\n  - {date: 2026-07-15}\n", "name"),
        ("days_off: [\n", "not YAML"),
    ],
)
def test_a_wrong_file_is_refused_with_its_reason(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HolidaysProblem) as problem:
        load_holidays(path)
    assert str(path) in str(problem.value) and reason in str(problem.value)


def test_a_year_without_data_is_named_instead_of_silently_counting_monday_to_friday(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert missing_years(date(2099, 6, 1)) == [2099, 2100]  # chinese-calendar has neither
    warning = calendar_warning(date(2099, 6, 1))
    assert warning is not None and "2099 and 2100" in warning and "Monday to Friday" in warning
    use_calendar(HolidayCalendar(national_years=[2099]))  # the county typed in 2099's national days
    assert missing_years(date(2099, 6, 1)) == [2100]
    assert missing_years(date(2025, 6, 1)) == []  # chinese-calendar has 2025 and 2026
    assert calendar_warning(date(2025, 6, 1)) is None
    monkeypatch.setattr(workdays, "_national", lambda day: None)  # a library without this year
    assert missing_years(date(2025, 6, 1)) == [2025, 2026]
