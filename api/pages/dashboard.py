"""The clerk's first page: today's new letters, what waits for the window, what is late."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.pages.base import ClerkDep, PageRoute, render
from api.runtime import Services
from api.services.workload import Workload, workload
from forms import clock
from forms.workdays import missing_years

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
async def dashboard(request: Request, clerk: ClerkDep, services: ServicesDep) -> Response:
    assert clerk.staff is not None
    work = await run_in_threadpool(_workload, services, clerk.staff.departments)
    # a year without the national holiday calendar counts Monday to Friday: the window is told
    calendar_gaps = missing_years(clock.today())
    return render(request, "pages/dashboard.html", caller=clerk, work=work, calendar_gaps=calendar_gaps)


def _workload(services: Services, departments: frozenset[str] | None) -> Workload:
    with Session(services.engine) as session:
        return workload(session, departments, clock.today())
