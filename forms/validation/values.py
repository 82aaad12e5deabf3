"""Dates, numbers, free text and choices, as typed into a letter's own fields."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from forms import clock
from forms.validation.dates import read_date
from forms.validation.normalize import ascii_digits, normalize_number, normalize_prose, normalize_text, strip_invisible
from forms.validation.reasons import Invalid, Reason

_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


def date_example(today: date) -> str:
    """A date to show as an example: one to come, so that nobody copies a date refused as past."""
    return (today + timedelta(days=14)).isoformat()


def parse_date(
    raw: str,
    *,
    today: date | None = None,
    not_future: bool = False,
    not_past: bool = False,
    latest: date | None = None,
) -> date:
    """A calendar date in any of the usual ways of writing it, within the bounds asked for."""
    text = ascii_digits(normalize_text(strip_invisible(raw)))
    if not text:
        raise Invalid(Reason.required)
    today = today or clock.today()
    parts = read_date(text, today)
    if parts is None:
        raise Invalid(Reason.date_format, example=date_example(today))
    try:
        value = date(*parts)
    except ValueError:
        raise Invalid(Reason.date_invalid) from None
    if not_future and value > today:
        raise Invalid(Reason.date_future)
    if not_past and value < today:
        raise Invalid(Reason.date_past)
    if latest is not None and value > latest:
        raise Invalid(Reason.date_too_late, latest=latest.isoformat())
    return value


def parse_number(raw: str, *, minimum: float | None = None, maximum: float | None = None) -> Decimal:
    """A decimal number within the bounds; "1,500", "２,5" and Arabic-Indic digits are understood."""
    text = normalize_number(raw)
    if not text:
        raise Invalid(Reason.required)
    if not _NUMBER.match(text):
        raise Invalid(Reason.number_format)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid(Reason.number_format) from None
    if minimum is not None and value < Decimal(str(minimum)):
        raise Invalid(Reason.number_too_small, minimum=_plain(minimum))
    if maximum is not None and value > Decimal(str(maximum)):
        raise Invalid(Reason.number_too_large, maximum=_plain(maximum))
    return value


def _plain(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def free_text(raw: str, *, max_length: int) -> str:
    """Free text, trimmed; it is escaped wherever it is shown, never interpreted."""
    text = normalize_prose(raw)
    if not text:
        raise Invalid(Reason.required)
    if len(text) > max_length:
        raise Invalid(Reason.text_too_long, maximum=max_length, length=len(text))
    return text


def one_of(value: str, allowed: Iterable[str]) -> str:
    if value not in set(allowed):
        raise Invalid(Reason.choice_unknown)
    return value


def some_of(values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """Several of a list, in the list's order, without repeats; at least one."""
    chosen, options = set(values), list(allowed)
    if not chosen:
        raise Invalid(Reason.materials_required)
    if not chosen <= set(options):
        raise Invalid(Reason.choice_unknown)
    return [option for option in options if option in chosen]
