"""Finding letters by part of a name, through the name_grams index."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from sqlmodel import Session, col, select

from api.store import LetterRecord, NameGram


def fold_name(name: str) -> str:
    """The form names are searched in: case-folded (Үсөн = үсөн), spaces and · left out."""
    return "".join(c for c in name.casefold() if c.isalnum())


def name_grams(name: str) -> set[str]:
    """Every letter and every pair of adjacent letters of the folded name."""
    letters = fold_name(name)
    return set(letters) | {a + b for a, b in pairwise(letters)}


def index_name(session: Session, letter_id: int, name: str) -> None:
    for gram in name_grams(name):
        session.add(NameGram(gram=gram, letter_id=letter_id))


def name_filter(typed: str) -> list[Any]:
    """Conditions for letters whose name holds `typed`: the index narrows, LIKE confirms.

    A query of no letters at all (only signs such as %) matches nothing rather than everything.
    """
    folded = fold_name(typed)
    if not folded:
        return [col(LetterRecord.id).is_(None)]
    candidates = select(NameGram.letter_id).where(NameGram.gram == folded[:2])
    return [col(LetterRecord.id).in_(candidates), col(LetterRecord.name_search).contains(folded, autoescape=True)]
