"""Letter numbers and verify codes in paths and queries, and objections' words, read with forms/' parsers.

A number pasted from the bot carries invisible isolate marks, one typed at a window may be in
lower case or without its dashes: each is normalised before it is checked, and a malformed one is
a 422 whose detail names the reason (letter_number.format, verify_code.format).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from forms.objections import OBJECTION_MAX, objection_text
from forms.validation import Invalid, parse_letter_number, parse_verify_code
from forms.validation.normalize import normalize_text
from forms.validation.printed import TYPED_MAX

TYPED = "spaces, dashes, case and invisible marks do not matter"


def _checked(parse: Callable[[str], str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return parse(value)
        except Invalid as error:
            raise PydanticCustomError(error.reason.value, what) from None

    return AfterValidator(check)


LetterNumber = _checked(parse_letter_number, "not a letter number such as SFJ-2026-000042")
VerifyCode = _checked(parse_verify_code, "not a verify code such as ABCD-2345")
NumberPath = Annotated[
    str,
    LetterNumber,
    Path(max_length=TYPED_MAX, description=f"as printed, SFJ-2026-000042; {TYPED}", examples=["SFJ-2026-000042"]),
]
CodeQuery = Annotated[
    str,
    VerifyCode,
    Query(max_length=TYPED_MAX, description=f"the verify code printed beside the number; {TYPED}",
          examples=["ABCD-2345"]),
]  # fmt: skip

# A row's id in a path: within what every store can hold (SQLite's and PostgreSQL's integers), so a
# huge number is a 422 with a reason, not an overflow deep in the driver.
RowIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="the row's id, as listed")]

# An applicant's objection: normalised by forms/ (invisible marks, spaces), then 1 to OBJECTION_MAX
# characters; the raw text may be longer by its marks, within bounds.
ObjectionText = Annotated[
    str,
    Field(min_length=1, max_length=4 * OBJECTION_MAX, description=f"up to {OBJECTION_MAX} characters"),
    _checked(objection_text, f"an objection of 1 to {OBJECTION_MAX} characters"),
]

# A name a clerk or an administrator types (a window's, a person's): normalised as names are
# (forms.validation.normalize), so no control character or invisible mark reaches the store.
StaffTyped = AfterValidator(normalize_text)
