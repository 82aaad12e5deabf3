"""Statistics: letters per day, item, status and window, as charts the server draws in SVG."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.callers import Caller
from api.deps import ServicesDep
from api.pages.base import ClerkDep, PageRoute, render
from api.runtime import Services
from api.services.statistics import LONGEST, Period, PeriodRefused, Statistics, statistics
from forms import clock
from forms.validation.reasons import N_

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Why a period is not shown, in the reader's language (the template translates them).
PROBLEMS = {
    "format": N_("日期要写成 年-月-日，例如 2026-03-01。"),
    "order": N_("开始日期不能晚于结束日期。"),
    "too_long": N_("一次最多统计 {days} 天。"),
}


@router.get("/statistics")
async def statistics_page(
    request: Request,
    clerk: ClerkDep,
    services: ServicesDep,
    first: Annotated[str, Query(alias="from", max_length=40)] = "",
    last: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> Response:
    assert clerk.staff is not None
    typed = {"from": first, "to": last}
    try:
        period = _period(first.strip(), last.strip(), clock.today())
    except PeriodRefused as refused:
        return _page(request, clerk, typed, problem=PROBLEMS[refused.reason], status=422)
    counted = await run_in_threadpool(_statistics, services, clerk.staff.departments, period)
    typed = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    return _page(request, clerk, typed, stats=counted)


def _page(
    request: Request,
    clerk: Caller,
    typed: dict[str, str],
    *,
    stats: Statistics | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    """The charts, or the dates as typed with why they are not shown."""
    return render(
        request,
        "pages/statistics.html",
        status=status,
        caller=clerk,
        typed=typed,
        stats=stats,
        problem=problem,
        longest=LONGEST,
    )


def _period(first: str, last: str, today: date) -> Period:
    """The last 30 days unless asked; `from` alone runs to today, `to` alone is the 30 days ending then."""
    if not first and not last:
        return Period.ending(today)
    try:
        end = date.fromisoformat(last) if last else None
        start = date.fromisoformat(first) if first else None
    except ValueError:
        raise PeriodRefused("format") from None
    if start is None:
        assert end is not None
        return Period.ending(end)
    return Period.between(start, end or max(start, today))


def _statistics(services: Services, departments: frozenset[str] | None, period: Period) -> Statistics:
    with Session(services.engine) as session:
        return statistics(session, departments, period)
