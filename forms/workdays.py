"""Chinese working days: public holidays and the weekend days made into working days."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> bool:
    """True on a working day of the State Council's calendar.

    chinese-calendar carries each year once the State Council publishes it (in late autumn
    for the next year). For a year it does not cover we fall back to Monday to Friday: a due
    date may then land on a holiday, and is moved when the library is updated.
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


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
