"""Working days: the State Council's calendar (chinese-calendar), plus the region's and county's own
days from the holidays file (forms/holidays.py): 肉孜节, 古尔邦节, and weekend days made working days."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from forms.holidays import HolidayCalendar, holidays_file, load_holidays

_calendar: HolidayCalendar | None = None


def use_calendar(calendar: HolidayCalendar) -> None:
    """The file this process counts with (the API loads the county's at start)."""
    global _calendar
    _calendar = calendar


def calendar() -> HolidayCalendar:
    """The file in use: until a process chooses, the one of CHENGNUO_CATALOGUE_DIR (the bot's too)."""
    global _calendar
    if _calendar is None:
        from forms.settings import Settings  # settings import the catalogue, which must not import this

        _calendar = load_holidays(holidays_file(Settings().catalogue_dir))
    return _calendar


def _national(day: date) -> bool | None:
    """chinese-calendar's answer, or None for a year it does not carry."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def is_working_day(day: date) -> bool:
    """True on a working day of the county: the file's days first, then the State Council's.

    A year neither chinese-calendar nor the file carries falls back to Monday to Friday; then
    `missing_years` names it, and `chengnuo serve` and the dashboard warn (a due date may land on
    a holiday until the library or the file is updated).
    """
    own = calendar()
    if day in own.off:
        return False
    if day in own.on:
        return True
    national = _national(day)
    return day.weekday() < 5 if national is None else national


def missing_years(today: date) -> list[int]:
    """This year and the next, where neither chinese-calendar nor the file has the national calendar."""
    own = calendar()
    years = (today.year, today.year + 1)
    return [y for y in years if y not in own.national_years and _national(date(y, 1, 1)) is None]


def calendar_warning(today: date) -> str | None:
    """The operator's line when `missing_years` names a year (None when both years are known)."""
    missing = missing_years(today)
    if not missing:
        return None
    years = " and ".join(str(y) for y in missing)
    return (
        f"no holiday calendar for {years} (neither chinese-calendar nor the holidays file has it): "
        "working days there count Monday to Friday. Update chinese-calendar, or add the State Council's "
        "days to holidays.yaml and the year to its national_years."
    )


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (the start day itself is not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_until(today: date, due: date) -> int:
    """Working days after today up to and including the due date (0 on the due date or later)."""
    count, day = 0, today
    while day < due:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
