"""Finding letters: one prepared statement per combination of filters.

A search names which filters it uses and binds their values. Building an SQLAlchemy statement
costs more than an indexed lookup in a million letters, so each combination is built once and
cached; only the bound values change between requests (bench/lookup.py). The statements select
the columns a list shows and run on a Core connection: the ORM's identity map and loading took as
long as the lookup itself on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, func
from sqlmodel import col, select

from api.services.names import fold_name
from api.store import LetterRecord, NameGram
from forms.public import LetterPublic


class Sort(StrEnum):
    newest = "-signed_at"
    oldest = "signed_at"
    number = "number"


ORDER = {
    Sort.newest: (col(LetterRecord.signed_at).desc(), col(LetterRecord.id).desc()),
    Sort.oldest: (col(LetterRecord.signed_at), col(LetterRecord.id)),
    Sort.number: (col(LetterRecord.number),),
}


def _conditions(name: str) -> list[ColumnElement[bool]]:
    """The conditions of one filter, on bound parameters named after it."""
    if name == "name_gram":  # bound for the "name" filter's subquery
        return []
    if name == "name":  # the gram index narrows, LIKE confirms
        candidates = select(NameGram.letter_id).where(NameGram.gram == bindparam("name_gram"))
        return [col(LetterRecord.id).in_(candidates), col(LetterRecord.name_search).like(bindparam("name"), escape="/")]
    if name == "departments":  # a window's own departments
        return [col(LetterRecord.department_code).in_(bindparam("departments", expanding=True))]
    if name == "id_hashes":  # every form of a document number as typed (forms.validation.documents)
        return [col(LetterRecord.id_hash).in_(bindparam("id_hashes", expanding=True))]
    if name == "signed_from":
        return [col(LetterRecord.signed_at) >= bindparam("signed_from")]
    if name == "signed_before":
        return [col(LetterRecord.signed_at) < bindparam("signed_before")]
    column = {
        "number": LetterRecord.number,
        "item_code": LetterRecord.item_code,
        "department_code": LetterRecord.department_code,
        "status": LetterRecord.status,
        "channel": LetterRecord.channel,
        "channel_user": LetterRecord.channel_user,
    }[name]
    return [col(column) == bindparam(name)]


# what LetterPublic shows, the department among it (who may see the letter)
SHOWN = tuple(getattr(LetterRecord, name) for name in LetterPublic.model_fields)


@cache
def _statements(filters: frozenset[str], sort: Sort) -> tuple[Select[Any], Select[Any]]:
    """The page query and the count query for this combination, built once."""
    where = [condition for name in sorted(filters) for condition in _conditions(name)]
    page = select(*SHOWN).where(*where).order_by(*ORDER[sort]).offset(bindparam("offset")).limit(bindparam("limit"))
    count = select(func.count()).select_from(LetterRecord).where(*where)
    return page, count


def name_values(typed: str) -> dict[str, str]:
    """The bound values for part of a name; none at all (only signs such as %) matches nothing."""
    folded = fold_name(typed)
    if not folded:
        return {"name_gram": "", "name": ""}  # no gram is empty: nothing matches
    escaped = folded.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return {"name_gram": folded[:2], "name": f"%{escaped}%"}


@dataclass(frozen=True)
class Found:
    rows: list[Row[Any]]  # the columns of LetterPublic (SHOWN)
    total: int


def find_letters(connection: Connection, values: Mapping[str, Any], *, sort: Sort, page: int, per_page: int) -> Found:
    """The page of letters matching every bound filter in `values`, and how many match in all."""
    page_query, count_query = _statements(frozenset(values), sort)
    rows = list(connection.execute(page_query, {**values, "offset": (page - 1) * per_page, "limit": per_page}))
    # a first page that is not full is the whole result: no second query to count it
    if page == 1 and len(rows) < per_page:
        return Found(rows, len(rows))
    return Found(rows, connection.scalar(count_query, dict(values)) or 0)
