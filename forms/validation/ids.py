"""The two identity numbers of a letter: resident ID (GB 11643-1999) and credit code (GB 32100-2015)."""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric, uscc

from forms import clock
from forms.validation.normalize import normalize_code
from forms.validation.reasons import Invalid, Reason

_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# GB 32100-2015 leaves out I, O, S, V and Z; stdnum's table is the same 31 characters.
USCC_ALPHABET = uscc._alphabet
_USCC_SHAPE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")
_REGION = re.compile(r"^[0-9]{6}$")


def resident_id(raw: str, *, today: date | None = None) -> str:
    """The 18-character resident ID, checked; raises Invalid with the first problem found."""
    number = normalize_code(raw)
    if not number:
        raise Invalid(Reason.required)
    if len(number) != 18:
        raise Invalid(Reason.id_length, length=len(number))
    if not _ID_SHAPE.match(number):
        raise Invalid(Reason.id_chars)
    born = birth_date(number)
    if born > (today or clock.today()):
        raise Invalid(Reason.id_birth_future)
    if number[-1] != ric.calc_check_digit(number):  # it drops the last character itself
        raise Invalid(Reason.id_checksum)
    return number


def birth_date(number: str) -> date:
    """The birth date in positions 7-14 of a resident ID; raises Invalid when it is no date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise Invalid(Reason.id_birth_date) from None


def credit_code(raw: str) -> str:
    """The 18-character unified social credit code, checked.

    Not stdnum's validate: it demands eight leading digits and so refuses the codes of village
    collectives (N…), the army (A…) and others whose registration authority is a letter.
    The region code is only required to be six digits: tables of regions go out of date.
    """
    code = normalize_code(raw)
    if not code:
        raise Invalid(Reason.required)
    if len(code) != 18:
        raise Invalid(Reason.uscc_length, length=len(code))
    if not _USCC_SHAPE.match(code):
        raise Invalid(Reason.uscc_chars)
    if not _REGION.match(code[2:8]):
        raise Invalid(Reason.uscc_region)
    if code[-1] != uscc.calc_check_digit(code[:17]):
        raise Invalid(Reason.uscc_checksum)
    return code


def mask_id(number: str) -> str:
    """Show only the first 6 and last 4 characters: the birth date stays hidden (PIPL)."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
