"""Finding letters the caller may see: one by its number, or a page of a search with every filter.

The JSON API (api/routes/search.py, api/routes/letters.py) and the window pages both call these:
another department's letter is as if absent for both.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Self

from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, select

from api.callers import Caller
from api.errors import ApiError, not_found
from api.runtime import Services
from api.services.credit import subject_hashes
from api.services.search import Sort, find_letters, name_values
from api.store import LetterRecord
from api.views import LetterPage, LetterPublic
from forms.channels import USER_MAX, Channel, ChannelUser, optional_user
from forms.clock import BEIJING
from forms.statuses import Status
from forms.validation import Invalid, any_document_number, parse_letter_number
from forms.validation.printed import TYPED_MAX


def load_letter(session: Session, number: str, caller: Caller) -> LetterRecord:
    """The letter, if the caller may see it: another department's letter is as if absent."""
    record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).first()
    if record is None or not caller.may_see(record.department_code):
        raise not_found("letter")
    return record


def signed_by(record: LetterRecord, who: ChannelUser) -> bool:
    """Whether this user of this channel signed the letter: the same user string in another
    channel is someone else."""
    return record.channel_user is not None and (record.channel, record.channel_user) == (who.channel.value, who.user)


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


CODE_TYPED = r"^[A-Za-z0-9-]*$"


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
    # codes are letters, digits and dashes: anything else (a NUL that PostgreSQL refuses) is a 422
    item: str | None = Field(default=None, max_length=32, pattern=CODE_TYPED, examples=["SFJ-001"])
    department: str | None = Field(default=None, max_length=16, pattern=CODE_TYPED, examples=["SFJ"])
    status: Status | None = None
    signed_from: date | None = Field(default=None, description="a Beijing date", examples=["2026-11-01"])
    signed_to: date | None = Field(default=None, description="a Beijing date, included", examples=["2026-11-30"])
    channel: Channel | None = Field(
        default=None, description="the bot only, with channel_user: one applicant's letters"
    )
    channel_user: str | None = Field(
        default=None,
        max_length=USER_MAX,
        description="the bot only: the applicant's user in that channel (a Telegram id, a WeChat openid)",
        examples=["100000001"],
    )
    sort: Sort = Sort.newest
    page: int = Field(default=1, ge=1, le=100000)
    per_page: int = Field(default=20, ge=1, le=100)

    @model_validator(mode="after")
    def _one_user(self) -> Self:
        """A user is a channel's: the two come together, and the user is of the channel's form."""
        optional_user(self.channel, self.channel_user)
        return self

    @property
    def is_exact(self) -> bool:
        """Bounded by an index to a handful of rows: quick enough to answer without a thread."""
        return bool(self.number or self.id_number or self.channel_user)


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
    if query.channel is not None:
        if not caller.is_service:
            raise ApiError(403, "forbidden", "only the bots look letters up by their users")
        values["channel"], values["channel_user"] = query.channel.value, query.channel_user
    if caller.staff is not None and caller.staff.departments is not None:
        values["departments"] = sorted(caller.staff.departments)
    with services.lookup_engine.connect() as connection:
        found = find_letters(connection, values, sort=query.sort, page=query.page, per_page=query.per_page)
    items = [LetterPublic.of(r) for r in found.rows]
    return LetterPage(items=items, total=found.total, page=query.page, per_page=query.per_page)
