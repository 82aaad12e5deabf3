"""Finding letters: by number, ID number or credit code, name, item, department, status, dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func
from sqlmodel import col, select

from api.deps import CallerDep, ServicesDep, SessionDep
from api.errors import ApiError, ErrorBody
from api.services.credit import canonical_subject
from api.services.names import name_filter
from api.statuses import Status
from api.store import LetterRecord
from api.views import LetterPage, LetterPublic
from forms.clock import BEIJING
from forms.letter import TELEGRAM_ID_MAX
from forms.validation import Invalid

router = APIRouter(prefix="/api/letters", tags=["letters"])


class Sort(StrEnum):
    newest = "-signed_at"
    oldest = "signed_at"
    number = "number"


def _subject_hash(services: ServicesDep, typed: str) -> str:
    """A resident ID or a credit code in its canonical form, as the store's keyed hash."""
    try:
        return services.vault.lookup_hash(canonical_subject(typed)[0])
    except Invalid:
        raise ApiError(422, "search.id_number", "not a valid resident ID number or credit code") from None


def _day_start(day: date) -> datetime:
    """Dates are Beijing dates: a letter signed at 01:00 in Beijing belongs to that day."""
    return datetime.combine(day, time.min, tzinfo=BEIJING)


@router.get("", response_model=LetterPage, responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}})
def search_letters(
    session: SessionDep,
    services: ServicesDep,
    caller: CallerDep,
    number: Annotated[str | None, Query(max_length=32)] = None,
    id_number: Annotated[str | None, Query(max_length=40, description="resident ID or credit code, exact")] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=100, description="part of the name")] = None,
    item: Annotated[str | None, Query(max_length=32)] = None,
    department: Annotated[str | None, Query(max_length=16)] = None,
    status: Status | None = None,
    signed_from: date | None = None,
    signed_to: date | None = None,
    telegram_user_id: Annotated[
        int | None, Query(ge=1, le=TELEGRAM_ID_MAX, description="the bot only: one applicant's letters")
    ] = None,
    sort: Sort = Sort.newest,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> LetterPage:
    """Letters of the caller's departments matching every filter given."""
    filters: list[Any] = []
    if number:
        filters.append(col(LetterRecord.number) == number.strip().upper())
    if id_number:
        filters.append(col(LetterRecord.id_hash) == _subject_hash(services, id_number))
    if name:
        filters += name_filter(name)
    if item:
        filters.append(col(LetterRecord.item_code) == item.strip().upper())
    if department:
        filters.append(col(LetterRecord.department_code) == department.strip().upper())
    if status:
        filters.append(col(LetterRecord.status) == status.value)
    if signed_from:
        filters.append(col(LetterRecord.signed_at) >= _day_start(signed_from))
    if signed_to:
        filters.append(col(LetterRecord.signed_at) < _day_start(signed_to + timedelta(days=1)))
    if telegram_user_id is not None:
        if not caller.is_service:
            raise ApiError(403, "forbidden", "only the bot looks letters up by Telegram user")
        filters.append(col(LetterRecord.telegram_user_id) == telegram_user_id)
    if caller.staff is not None and caller.staff.departments is not None:
        filters.append(col(LetterRecord.department_code).in_(sorted(caller.staff.departments)))

    order = {
        Sort.newest: (col(LetterRecord.signed_at).desc(), col(LetterRecord.id).desc()),
        Sort.oldest: (col(LetterRecord.signed_at), col(LetterRecord.id)),
        Sort.number: (col(LetterRecord.number),),
    }[sort]
    rows = session.exec(
        select(LetterRecord).where(*filters).order_by(*order).offset((page - 1) * per_page).limit(per_page)
    ).all()
    # a first page that is not full is the whole result: no second query to count it
    if page == 1 and len(rows) < per_page:
        total = len(rows)
    else:
        total = session.exec(select(func.count()).select_from(LetterRecord).where(*filters)).one()
    return LetterPage(items=[LetterPublic.of(r) for r in rows], total=total, page=page, per_page=per_page)
