"""The letter number and verify code printed on a letter, however they were typed or pasted.

Both go through `normalize_code`, the function that reads identity numbers: a number copied out
of a chat keeps the invisible isolate marks the bot put around it, a phone types other dashes, a
clerk types lower case or leaves the dashes out. The dashes are put back where they belong.
"""

from __future__ import annotations

import re

from forms.validation.normalize import normalize_code
from forms.validation.reasons import Invalid, Reason

LETTER_NUMBER_PATTERN = r"^[A-Z][A-Z0-9]{1,9}-[0-9]{4}-[0-9]{6}$"  # SFJ-2026-000042
VERIFY_CODE_PATTERN = r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"  # ABCD-2345: no 0/O or 1/I, read aloud at a window
TYPED_MAX = 64  # longer than any number or code with its spaces and marks: refused before reading
# The department code, then the year and the sequence: the last ten characters are digits.
_LETTER_NUMBER = re.compile(r"^([A-Z][A-Z0-9]{1,9})([0-9]{4})([0-9]{6})$")
_VERIFY_CODE = re.compile(r"^[A-Z0-9]{8}$")


def parse_letter_number(raw: str) -> str:
    """SFJ-2026-000042 from "sfj 2026 000042", "SFJ2026000042" or a copy with marks; raises Invalid."""
    match = _LETTER_NUMBER.match(normalize_code(raw)) if len(raw) <= TYPED_MAX else None
    if match is None:
        raise Invalid(Reason.letter_number_format)
    return "-".join(match.groups())


def parse_verify_code(raw: str) -> str:
    """ABCD-2345 from "abcd2345", "ABCD 2345" or a copy with marks; raises Invalid.

    Any eight ASCII letters and digits are well formed: a code with 0 or 1 is a wrong code, which
    is answered as one, not as a malformed request.
    """
    typed = normalize_code(raw) if len(raw) <= TYPED_MAX else ""
    if not _VERIFY_CODE.match(typed):
        raise Invalid(Reason.verify_code_format)
    return f"{typed[:4]}-{typed[4:]}"
