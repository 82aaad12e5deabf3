"""Finding letters: by number, ID number or credit code, name, item, department, status, dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, CallerDep, Services, ServicesDep
from api.errors import ApiError, ErrorBody
from api.query import query_model
from api.services.credit import subject_hashes
from api.services.search import Sort, find_letters, name_values
from api.statuses import Status
from api.views import LetterPage, LetterPublic
from forms.clock import BEIJING
from forms.letter import TELEGRAM_ID_MAX
from forms.validation import Invalid, any_document_number, parse_letter_number
from forms.validation.printed import TYPED_MAX

router = APIRouter(prefix="/api/letters", tags=["letters"])


def _subject_hashes(services: Services, typed: str) -> list[str]:
    """The store's keyed hashes of the number, however typed and under whatever kind it was filed."""
    try:
        any_document_number(typed)
    except Invalid:
        raise ApiError(422, "search.id_number", "not a valid number of any kind of identity document") from None
    return subject_hashes(services.vault, typed)


def _letter_number(typed: str) -> str:
    try:
        return parse_letter_number(typed)
    except Invalid:
        raise ApiError(422, "search.number", "not a letter number such as SFJ-2026-000042") from None


def _day_start(day: date) -> datetime:
    """Dates are Beijing dates: a letter signed at 01:00 in Beijing belongs to that day."""
    return datetime.combine(day, time.min, tzinfo=BEIJING)


class LetterQuery(BaseModel):
    """The filters of a search: one model, validated at once (FastAPI's per-parameter path costs
    more than the lookup itself, bench/lookup.py)."""

    number: str | None = Field(
        default=None,
        max_length=TYPED_MAX,
        description="as printed; spaces, dashes, case and invisible marks do not matter",
        examples=["SFJ-2026-000042"],
    )
    id_number: str | None = Field(
        default=None,
        max_length=TYPED_MAX,
        description="any kind of identity document or a credit code, exact but for spaces, dashes and case",
        examples=["653022199003150016"],
    )
    name: str | None = Field(
        default=None, min_length=1, max_length=100, description="part of the name", examples=["明华"]
    )
    item: str | None = Field(default=None, max_length=32, examples=["SFJ-001"])
    department: str | None = Field(default=None, max_length=16, examples=["SFJ"])
    status: Status | None = None
    signed_from: date | None = Field(default=None, description="a Beijing date", examples=["2026-11-01"])
    signed_to: date | None = Field(default=None, description="a Beijing date, included", examples=["2026-11-30"])
    telegram_user_id: int | None = Field(
        default=None,
        ge=1,
        le=TELEGRAM_ID_MAX,
        description="the bot only: one applicant's letters",
        examples=[100000001],
    )
    sort: Sort = Sort.newest
    page: int = Field(default=1, ge=1, le=100000)
    per_page: int = Field(default=20, ge=1, le=100)

    @property
    def is_exact(self) -> bool:
        """Bounded by an index to a handful of rows: quick enough to answer without a thread."""
        return bool(self.number or self.id_number or self.telegram_user_id)


read_query, query_parameters = query_model(LetterQuery)


@router.get(
    "",
    response_model=LetterPage,
    responses={code: {"model": ErrorBody} for code in (401, 403, 422)},
    openapi_extra=query_parameters,
)
async def search_letters(
    query: Annotated[LetterQuery, Depends(read_query)], services: ServicesDep, caller: CallerDep
) -> LetterPage:
    """Letters of the caller's departments matching every filter given."""
    if services.reads_inline and query.is_exact:
        return search_for(services, query, caller)
    return await run_in_threadpool(search_for, services, query, caller)


def search_for(services: Services, query: LetterQuery, caller: Caller) -> LetterPage:
    """One page of letters the caller may see, matching every filter (also the search page's)."""
    values: dict[str, Any] = {}
    if query.number:
        values["number"] = _letter_number(query.number)
    if query.id_number:
        values["id_hashes"] = _subject_hashes(services, query.id_number)
    if query.name:
        values.update(name_values(query.name))
    if query.item:
        values["item_code"] = query.item.strip().upper()
    if query.department:
        values["department_code"] = query.department.strip().upper()
    if query.status:
        values["status"] = query.status.value
    if query.signed_from:
        values["signed_from"] = _day_start(query.signed_from)
    if query.signed_to:
        values["signed_before"] = _day_start(query.signed_to + timedelta(days=1))
    if query.telegram_user_id is not None:
        if not caller.is_service:
            raise ApiError(403, "forbidden", "only the bot looks letters up by Telegram user")
        values["telegram_user_id"] = query.telegram_user_id
    if caller.staff is not None and caller.staff.departments is not None:
        values["departments"] = sorted(caller.staff.departments)
    with Session(services.engine) as session:
        found = find_letters(session, values, sort=query.sort, page=query.page, per_page=query.per_page)
    items = [LetterPublic.of(r) for r in found.rows]
    return LetterPage(items=items, total=found.total, page=query.page, per_page=query.per_page)
