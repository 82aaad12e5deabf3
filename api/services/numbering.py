"""Letter numbers: readable, unique, and gap-free per department and year, under concurrency."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from api.store import NumberCounter
from api.store.engine import insert_for


def next_sequence(session: Session, department_code: str, year: int) -> int:
    """Take the next sequence inside the caller's transaction.

    The counter row is locked by the UPDATE until the transaction ends, so concurrent
    submissions queue on it; a transaction that fails rolls its increment back with it,
    which is what keeps the numbers free of gaps.
    """
    insert = insert_for(session)
    session.execute(
        insert(NumberCounter)
        .values(department_code=department_code, year=year, last=0)
        .on_conflict_do_nothing(index_elements=["department_code", "year"])
    )
    taken = session.execute(
        update(NumberCounter)
        .where(col(NumberCounter.department_code) == department_code, col(NumberCounter.year) == year)
        .values(last=col(NumberCounter.last) + 1)
        .returning(col(NumberCounter.last))
    ).scalar_one()
    return int(taken)
