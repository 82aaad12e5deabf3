"""Letters counted for the statistics page: per Beijing day, per item, per status, per window.

Every count is of the letters signed in a period of Beijing dates, for the departments a clerk
serves (None: all). The store keeps UTC; a letter signed at 23:30 in Beijing is 15:30 UTC the
same day, one signed at 00:30 is 16:30 UTC the day before: days are grouped on Beijing's clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, cast, func, literal_column
from sqlmodel import Session, col, select

from api.store import LetterRecord, Window, WindowDepartment
from forms.clock import BEIJING
from forms.statuses import Status

DEFAULT_DAYS = 30
LONGEST = 366  # days in one view: a year of daily bars is still readable, and the query bounded


class PeriodRefused(ValueError):
    """A period the page cannot show; `reason` is a code the page words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        if first > last:
            raise PeriodRefused("order")
        if (last - first).days + 1 > LONGEST:
            raise PeriodRefused("too_long")
        return cls(first, last)

    @classmethod
    def ending(cls, last: date, days: int = DEFAULT_DAYS) -> Period:
        return cls(last - timedelta(days=days - 1), last)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        """From Beijing's midnight of the first day to the midnight after the last."""
        return (
            datetime.combine(self.first, time.min, tzinfo=BEIJING),
            datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=BEIJING),
        )


@dataclass(frozen=True)
class WindowCount:
    name: str
    departments: tuple[str, ...]  # the ones it serves among the clerk's
    count: int


@dataclass
class Statistics:
    period: Period
    total: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)  # every day, the empty ones too
    per_item: list[tuple[str, int]] = field(default_factory=list)  # most first
    per_status: list[tuple[str, int]] = field(default_factory=list)  # in the order of the workflow
    per_window: list[WindowCount] = field(default_factory=list)  # most first; a letter under each window


def statistics(session: Session, departments: frozenset[str] | None, period: Period) -> Statistics:
    start, end = period.bounds()
    signed_at = col(LetterRecord.signed_at)
    where: list[Any] = [signed_at >= start, signed_at < end, *_mine(departments)]
    result = Statistics(period)

    day = _beijing_day(session)
    counted = dict(session.exec(select(day, func.count()).where(*where).group_by(day)).all())
    by_day = {_as_date(d): n for d, n in counted.items()}
    result.per_day = [(d, by_day.get(d, 0)) for d in period.days()]

    item = col(LetterRecord.item_code)
    items = session.exec(select(item, func.count()).where(*where).group_by(item)).all()
    result.per_item = sorted(((code, n) for code, n in items), key=lambda row: (-row[1], row[0]))

    status = col(LetterRecord.status)
    statuses = dict(session.exec(select(status, func.count()).where(*where).group_by(status)).all())
    order = {s.value: i for i, s in enumerate(Status)}
    result.per_status = sorted(statuses.items(), key=lambda row: (order.get(row[0], len(order)), row[0]))
    result.total = sum(statuses.values())

    result.per_window = _per_window(session, departments, where)
    return result


def _mine(departments: frozenset[str] | None) -> list[Any]:
    return [] if departments is None else [col(LetterRecord.department_code).in_(sorted(departments))]


def _beijing_day(session: Session) -> Any:
    """The Beijing date of signed_at, in the store's own SQL (no bound parameter, so that
    PostgreSQL sees the same expression in SELECT and GROUP BY)."""
    signed_at = col(LetterRecord.signed_at)
    if session.get_bind().dialect.name == "postgresql":
        # timestamptz shown at a fixed +08:00 (an interval, east of UTC), then its date
        return cast(func.timezone(literal_column("INTERVAL '+08:00'"), signed_at), Date)
    # SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' text; date() takes a modifier
    return func.date(signed_at, literal_column("'+8 hours'"))


def _as_date(value: date | str) -> date:
    """PostgreSQL answers a date, SQLite its ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _per_window(session: Session, departments: frozenset[str] | None, where: list[Any]) -> list[WindowCount]:
    """Letters per window through the departments it serves: a department served by two windows
    has its letters counted under both, so the windows may add up to more than the total."""
    serves = col(WindowDepartment.department_code)
    window_id = col(WindowDepartment.window_id)
    served = select(window_id, col(Window.name), serves).join(Window, col(Window.id) == window_id)
    if departments is not None:
        served = served.where(serves.in_(sorted(departments)))
    windows: dict[int, tuple[str, list[str]]] = {}
    for number, name, code in session.exec(served).all():
        windows.setdefault(number, (name, []))[1].append(code)

    counted = (
        select(window_id, func.count())
        .select_from(LetterRecord)
        .join(WindowDepartment, serves == col(LetterRecord.department_code))
        .where(*where)
        .group_by(window_id)
    )
    counts = dict(session.exec(counted).all())
    rows = [WindowCount(name, tuple(sorted(codes)), counts.get(i, 0)) for i, (name, codes) in windows.items()]
    return sorted(rows, key=lambda row: (-row.count, row.name))
