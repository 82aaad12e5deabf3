"""Dates typed the way people write them: with no year, with month names, day first or month first."""

from __future__ import annotations

from datetime import date

import pytest

from forms.validation import Invalid, Reason
from forms.validation.values import parse_date

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2026-12-20", date(2026, 12, 20)),
        ("2026年12月20日", date(2026, 12, 20)),
        ("20.12.2026", date(2026, 12, 20)),
        ("12月20日", date(2026, 12, 20)),  # no year: the next 20 December
        ("12月20号", date(2026, 12, 20)),
        ("12.20", date(2026, 12, 20)),
        ("12-20", date(2026, 12, 20)),
        ("20/12", date(2026, 12, 20)),  # with a slash, day first
        ("1月5日", date(2027, 1, 5)),  # January has passed this year: next year's
        ("12月1日", date(2027, 12, 1)),  # so has 1 December
        ("12月6日", date(2026, 12, 6)),  # today is still to come
        ("20-دېكابىر", date(2026, 12, 20)),  # Uyghur month name
        ("دېكابىرنىڭ 20-كۈنى", date(2026, 12, 20)),
        ("12-ئاينىڭ 20-كۈنى", date(2026, 12, 20)),  # "the 12th month", as the press writes
        ("يانۋار 15", date(2027, 1, 15)),
        ("2027-يىلى 3-مارت", date(2027, 3, 3)),
        ("20-декабрь", date(2026, 12, 20)),  # Kyrgyz, Cyrillic
        ("декабрдын 20сы", date(2026, 12, 20)),
        ("15-январь", date(2027, 1, 15)),
        ("20-دەكابر", date(2026, 12, 20)),  # Kyrgyz, Arabic script
        ("٢٠/١٢", date(2026, 12, 20)),  # Arabic-Indic digits
    ],
)
def test_dates_are_read_generously(typed: str, meant: date) -> None:
    assert parse_date(typed, today=TODAY) == date.fromisoformat(str(meant))


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("20", Reason.date_format),
        ("декабрь", Reason.date_format),  # no day
        ("20-21 декабрь", Reason.date_format),  # two days
        ("2月30日", Reason.date_invalid),
        ("31/4", Reason.date_invalid),
        ("soon", Reason.date_format),
    ],
)
def test_what_is_not_a_date_says_why(typed: str, reason: Reason) -> None:
    with pytest.raises(Invalid) as raised:
        parse_date(typed, today=TODAY)
    assert raised.value.reason is reason


def test_a_date_without_a_year_that_has_passed_is_next_years_so_it_is_not_refused_as_past() -> None:
    assert parse_date("1月5日", today=TODAY, not_past=True) == date(2027, 1, 5)


def test_the_example_in_the_message_is_a_date_to_come() -> None:
    with pytest.raises(Invalid) as raised:
        parse_date("soon", today=TODAY)
    message = raised.value.message(lambda text: text)
    assert "2026-12-20" in message, message
