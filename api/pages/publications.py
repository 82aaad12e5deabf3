"""归集公示 for the window: the four lists (public letters and dishonesty records), their export, and
marking rows published or taken down.

The lists, the export and the marking are the JSON API's (api/routes/publications.py), through the
same service functions; the export links go to the JSON API itself, which takes the page's cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from pydantic import StringConstraints
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.callers import Caller
from api.deps import ServicesDep
from api.errors import ApiError
from api.pages.base import ClerkDep, PageRoute, render, see_other
from api.runtime import Services, write_session
from api.services.publications import Entry, PublicationKind, PublicationState, count, find, mark
from forms.validation.reasons import N_

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SHOWN = 500  # rows on the page, as many as one marking takes; the export has them all
Number = Annotated[str, StringConstraints(max_length=32)]

# A list's name on its tab, and the button of the rows it holds (None: nothing to mark there).
TABS = {
    PublicationState.due: N_("待公示"),
    PublicationState.overdue: N_("公示已逾期"),
    PublicationState.published: N_("已公示"),
    PublicationState.withdrawal_due: N_("待撤下"),
}
MARKS = {
    PublicationState.due: "published",
    PublicationState.overdue: "published",
    PublicationState.withdrawal_due: "withdrawn",
}
# What a row is: the letter itself, or the dishonesty record of its broken commitment.
KINDS = {PublicationKind.letter: N_("信用承诺"), PublicationKind.dishonesty: N_("失信记录")}
NONE_CHOSEN = N_("请先勾选要标记的承诺书。")
NO_SUCH_LIST = N_("没有这个列表，请从上面的标签中选择。")


@dataclass
class Listing:
    state: PublicationState | None  # None: the address named no list
    rows: list[Entry] = field(default_factory=list)
    counts: dict[PublicationState, int] = field(default_factory=dict)


@router.get("/publications")
async def publications_page(
    request: Request,
    clerk: ClerkDep,
    services: ServicesDep,
    state: Annotated[str, Query(max_length=32)] = PublicationState.due.value,
    done: Annotated[str, Query(max_length=16)] = "",
    marked: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """One list; `done` and `marked` say what the last form did (after its redirect)."""
    chosen = _state(state)
    status, problem = (200, None) if chosen else (422, NO_SUCH_LIST)
    shown = marked if done in ("published", "withdrawn") and marked.isdigit() else None
    return await _page(request, clerk, services, chosen, status=status, problem=problem, done=done, marked=shown)


@router.post("/publications/published")
async def mark_published(
    request: Request,
    clerk: ClerkDep,
    services: ServicesDep,
    state: Annotated[str, Form(max_length=32)] = PublicationState.due.value,
    numbers: Annotated[list[Number] | None, Form()] = None,
    dishonesty: Annotated[list[Number] | None, Form()] = None,
) -> Response:
    """Rows put on the credit platform (CSRF checked by ClerkDep); back to the list with the count."""
    chosen = Chosen(numbers or [], dishonesty or [])
    return await _mark(request, clerk, services, _state(state), chosen, withdrawn=False)


@router.post("/publications/withdrawn")
async def mark_withdrawn(
    request: Request,
    clerk: ClerkDep,
    services: ServicesDep,
    state: Annotated[str, Form(max_length=32)] = PublicationState.withdrawal_due.value,
    numbers: Annotated[list[Number] | None, Form()] = None,
    dishonesty: Annotated[list[Number] | None, Form()] = None,
) -> Response:
    """Rows taken down from the credit platform: after credit repair, or after the letter ended."""
    chosen = Chosen(numbers or [], dishonesty or [])
    return await _mark(request, clerk, services, _state(state), chosen, withdrawn=True)


@dataclass
class Chosen:
    """The rows ticked: letters' publications by number, dishonesty records by their letter's number."""

    numbers: list[str]
    dishonesty: list[str]

    def __len__(self) -> int:
        return len(self.numbers) + len(self.dishonesty)


async def _mark(
    request: Request,
    clerk: Caller,
    services: Services,
    state: PublicationState | None,
    chosen: Chosen,
    *,
    withdrawn: bool,
) -> Response:
    assert clerk.staff is not None
    back = state or PublicationState.due
    if not len(chosen):
        return await _page(request, clerk, services, back, status=422, problem=NONE_CHOSEN)
    if len(chosen) > SHOWN:
        raise ApiError(422, "invalid_request", f"at most {SHOWN} at once")
    staff = clerk.staff
    done = await run_in_threadpool(_marked, services, staff.username, staff.departments, chosen, withdrawn)
    action = "withdrawn" if withdrawn else "published"
    return see_other(f"/publications?state={back.value}&done={action}&marked={done}")


def _marked(
    services: Services, username: str, departments: frozenset[str] | None, chosen: Chosen, withdrawn: bool
) -> int:
    numbers, dishonesty = sorted(set(chosen.numbers)), sorted(set(chosen.dishonesty))
    with write_session(services) as session:
        mark(session, username, departments, numbers, withdrawn=withdrawn, dishonesty=dishonesty)
    return len(numbers) + len(dishonesty)


async def _page(
    request: Request,
    clerk: Caller,
    services: Services,
    state: PublicationState | None,
    *,
    status: int = 200,
    problem: str | None = None,
    done: str = "",
    marked: str | None = None,
) -> Response:
    assert clerk.staff is not None
    listing = await run_in_threadpool(_listing, services, clerk.staff.departments, state)
    return render(
        request,
        "pages/publications.html",
        status=status,
        caller=clerk,
        listing=listing,
        tabs=TABS,
        action=MARKS.get(state) if state else None,
        shown=SHOWN,
        problem=problem,
        done=done if marked is not None else "",
        marked=marked,
        kinds=KINDS,
    )


def _state(value: str) -> PublicationState | None:
    try:
        return PublicationState(value)
    except ValueError:
        return None


def _listing(services: Services, departments: frozenset[str] | None, state: PublicationState | None) -> Listing:
    with Session(services.engine) as session:
        listing = Listing(state, counts={s: count(session, s, departments) for s in PublicationState})
        if state is not None:
            listing.rows = find(session, state, departments, limit=SHOWN)
        return listing
