"""Dates as people type them: with or without the year, digits or month names, in our languages.

A date without a year is the next such date from today (12月20日 typed in December 2026 after
the 20th is 2027-12-20): what someone promising a date means.
"""

from __future__ import annotations

import re
from datetime import date

from forms.kyrgyz_arabic import to_arabic

# Year first (ISO, Chinese 年月日, compact) or day first as Kyrgyz and Russian write it.
_YEAR_FIRST = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_DAY_FIRST = re.compile(r"^([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{4})$")
# Without a year: 12月20日, 12.20, 12-20 (month first, as Chinese writes) or 20/12 (day first).
_MONTH_DAY = re.compile(r"^([0-9]{1,2})\s*(?:月|[.-])\s*([0-9]{1,2})\s*[日号]?$")
_DAY_MONTH = re.compile(r"^([0-9]{1,2})\s*/\s*([0-9]{1,2})$")

_MONTHS_UG = "يانۋار فېۋرال مارت ئاپرېل ماي ئىيۇن ئىيۇل ئاۋغۇست سېنتەبىر ئۆكتەبىر نويابىر دېكابىر"
_MONTHS_KY = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"
# A month's name as it starts a word with suffixes: декабрдын (ь drops), دېكابىردا, 20-دەكابر
_MONTH_STEMS: list[tuple[str, int]] = [
    (name.lower().removesuffix("ь"), number)
    for names in (_MONTHS_UG, _MONTHS_KY, to_arabic(_MONTHS_KY))
    for number, name in enumerate(names.split(), start=1)
]
_NUMBER = re.compile(r"[0-9]+")
_WORD = re.compile(r"[^\W\d_]+")
# 12-ئاي / 12-ай: "the twelfth month" is how Xinjiang's press often writes a month
_MONTH_NUMBER = re.compile(r"([0-9]{1,2})\s*-?\s*(?:ئاي|ай|اي)")


def _month_named(text: str) -> int | None:
    for word in _WORD.findall(text.lower()):
        for stem, number in _MONTH_STEMS:
            if word.startswith(stem):
                return number
    return None


def read_date(text: str, today: date) -> tuple[int, int, int] | None:
    """Year, month and day from a typed date, or None when it is not a date we can read.

    The parts may be out of range (2026-02-30): the caller says the date does not exist."""
    if match := _YEAR_FIRST.match(text) or _COMPACT.match(text):
        year, month, day = (int(g) for g in match.groups())
        return year, month, day
    if match := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in match.groups())
        return year, month, day
    if match := _MONTH_DAY.match(text):
        month, day = (int(g) for g in match.groups())
        return _next(today, month, day)
    if match := _DAY_MONTH.match(text):
        day, month = (int(g) for g in match.groups())
        return _next(today, month, day)
    return _in_words(text, today)


def _in_words(text: str, today: date) -> tuple[int, int, int] | None:
    """20-декабрь, декабрдын 20сы, 2026-жылы 20-декабрь, دېكابىرنىڭ 20-كۈنى, 12-ئاينىڭ 20-كۈنى."""
    by_number = _MONTH_NUMBER.search(text)
    month = int(by_number.group(1)) if by_number else _month_named(text)
    if month is None:
        return None
    rest = text[: by_number.start()] + " " + text[by_number.end() :] if by_number else text
    numbers = [int(n) for n in _NUMBER.findall(rest)]
    years = [n for n in numbers if n >= 1000]
    days = [n for n in numbers if n < 1000]
    if len(days) != 1 or len(years) > 1:
        return None
    if years:
        return years[0], month, days[0]
    return _next(today, month, days[0])


def _next(today: date, month: int, day: int) -> tuple[int, int, int]:
    """The next such date: this year's unless it has passed."""
    try:
        this_year = date(today.year, month, day)
    except ValueError:
        return today.year, month, day  # a date that does not exist: the caller says so
    return (today.year if this_year >= today else today.year + 1), month, day
