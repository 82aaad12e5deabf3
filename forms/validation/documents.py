"""Identity documents: the closed list of kinds a letter takes, and the canonical number of each.

Every identity number, whatever its kind, goes through `normalize_code` first (full-width forms,
Arabic-Indic digits, spaces, dashes and invisible marks folded, upper case): the same function for
storing, hashing, searching and the credit check. A kind then checks its own format; where the
number carries a check character (resident ID, residence permit, new permanent residence card)
the check is strict, elsewhere the rule is generous, because real documents vary.

The canonical number does not depend on the kind chosen, so the keyed hash of a listed person's
number is found whichever kind they pick. Two kinds shorten older forms to the holder's lifelong
number (the Ministry of Public Security's numbering rules): a Hong Kong/Macao permit's last two
digits count renewals, a Taiwan permit's are the issue count plus the issuing office in brackets.
`subject_numbers` gives every form a typed number can take, for the credit gate and the search.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum

from stdnum.cn import ric

from forms.validation.ids import birth_date, credit_code, resident_id
from forms.validation.normalize import normalize_code
from forms.validation.reasons import N_, Invalid, Reason


class IdType(StrEnum):
    """The kind of identity document a party's number belongs to."""

    resident_id = "resident_id"  # 居民身份证 (GB 11643-1999)
    uscc = "uscc"  # 统一社会信用代码 (GB 32100-2015): organisations and individual businesses
    passport = "passport"  # 中华人民共和国护照
    hk_macao_permit = "hk_macao_permit"  # 港澳居民来往内地通行证
    taiwan_permit = "taiwan_permit"  # 台湾居民来往大陆通行证
    residence_permit = "residence_permit"  # 港澳台居民居住证
    permanent_residence = "permanent_residence"  # 外国人永久居留身份证
    foreign_passport = "foreign_passport"  # 外国护照
    other = "other"  # letters stored before the closed list: read, never offered or accepted


# What a person may commit with; an organisation commits with its credit code only.
PERSON_DOCUMENTS = (
    IdType.resident_id,
    IdType.passport,
    IdType.hk_macao_permit,
    IdType.taiwan_permit,
    IdType.residence_permit,
    IdType.permanent_residence,
    IdType.foreign_passport,
)
DOCUMENT_NAMES: dict[IdType, str] = {
    IdType.resident_id: N_("居民身份证"),
    IdType.uscc: N_("统一社会信用代码"),
    IdType.passport: N_("中华人民共和国护照"),
    IdType.hk_macao_permit: N_("港澳居民来往内地通行证"),
    IdType.taiwan_permit: N_("台湾居民来往大陆通行证"),
    IdType.residence_permit: N_("港澳台居民居住证"),
    IdType.permanent_residence: N_("外国人永久居留身份证"),
    IdType.foreign_passport: N_("外国护照"),
    IdType.other: N_("其他证件"),
}

# Ordinary passports: G + 8 digits (before 2012), E + 8 digits, then E + a letter + 7 digits;
# diplomatic, service and public-affairs passports: D, S or P, with or without E, and 7 or 8 digits.
_PASSPORT = re.compile(r"^(?:[EG][0-9]{8}|E[A-Z][0-9]{7}|[DSP]E?[0-9]{7}|[DSP][0-9]{8})$")
# H (Hong Kong) or M (Macao) + the 8-digit lifelong number; the booklet adds 2 digits of renewals.
_HK_MACAO = re.compile(r"^([HM][0-9]{8})(?:[0-9]{2})?$")
# The 8-digit lifelong number; before 2008 also the issue count and the issuing office: 1234567801(B).
_TAIWAN = re.compile(r"^([0-9]{8})(?:[0-9]{2})?(?:\([A-Z0-9]{1,2}\))?$")
_RESIDENCE_REGIONS = ("810000", "820000", "830000")  # Hong Kong, Macao, Taiwan
_RESIDENCE_SHAPE = re.compile(r"^8[123]0000[0-9]{11}[0-9X]$")
# The 2023 card: 9, province, nationality, birth date, order, check (MOD 11-2, as the resident ID).
_PERMANENT_NEW = re.compile(r"^9[0-9]{16}[0-9X]$")
_PERMANENT_OLD = re.compile(r"^[A-Z]{3}[0-9]{12}$")  # 2004 and 2017 cards: nationality + 12 digits
# ICAO 9303 prints up to 9 characters; some states issue longer numbers. At least one digit.
_FOREIGN_PASSPORT = re.compile(r"^(?=.*[0-9])[A-Z0-9]{5,15}$")
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def _passport(number: str, _today: date | None) -> str:
    if not _PASSPORT.match(number):
        raise Invalid(Reason.passport_format)
    return number


def _hk_macao_permit(number: str, _today: date | None) -> str:
    match = _HK_MACAO.match(number)
    if match is None:
        raise Invalid(Reason.hk_macao_permit_format)
    return match.group(1)


def _taiwan_permit(number: str, _today: date | None) -> str:
    match = _TAIWAN.match(number)
    if match is None:
        raise Invalid(Reason.taiwan_permit_format)
    return match.group(1)


def _with_id_checks(number: str, today: date | None) -> str:
    """The resident ID's rules, which the residence permit and the new permanent card follow."""
    try:
        return resident_id(number, today=today)
    except Invalid as error:
        if error.reason in (Reason.id_birth_date, Reason.id_birth_future):
            raise
        raise Invalid(Reason.document_checksum) from None


def _residence_permit(number: str, today: date | None) -> str:
    if not _RESIDENCE_SHAPE.match(number) or number[:6] not in _RESIDENCE_REGIONS:
        raise Invalid(Reason.residence_permit_format)
    return _with_id_checks(number, today)


def _permanent_residence(number: str, today: date | None) -> str:
    if _PERMANENT_OLD.match(number):
        return number
    if not _PERMANENT_NEW.match(number):
        raise Invalid(Reason.permanent_residence_format)
    return _with_id_checks(number, today)


def _foreign_passport(number: str, _today: date | None) -> str:
    if not _FOREIGN_PASSPORT.match(number):
        raise Invalid(Reason.foreign_passport_format)
    return number


def _other(_number: str, _today: date | None) -> str:
    raise Invalid(Reason.choice_unknown)


_RULES: dict[IdType, Callable[[str, date | None], str]] = {
    IdType.resident_id: lambda number, today: resident_id(number, today=today),
    IdType.uscc: lambda number, _today: credit_code(number),
    IdType.passport: _passport,
    IdType.hk_macao_permit: _hk_macao_permit,
    IdType.taiwan_permit: _taiwan_permit,
    IdType.residence_permit: _residence_permit,
    IdType.permanent_residence: _permanent_residence,
    IdType.foreign_passport: _foreign_passport,
    IdType.other: _other,
}
# Kinds whose numbers may be built like a resident ID (a credit code has its own reasons).
_ID_SHAPED = (IdType.resident_id, IdType.uscc, IdType.residence_permit, IdType.permanent_residence)
SEARCHED = (IdType.resident_id, IdType.uscc, *PERSON_DOCUMENTS[1:])


def document_number(kind: IdType, raw: str, *, today: date | None = None) -> str:
    """The canonical number of a document of this kind; raises Invalid with the first problem."""
    number = normalize_code(raw)
    if not number:
        raise Invalid(Reason.required)
    if kind not in _ID_SHAPED and is_resident_id(number):
        # a resident ID under another kind would print as that kind; say which kind it is
        raise Invalid(Reason.document_is_resident_id)
    return _RULES[kind](number, today)


def is_resident_id(number: str) -> bool:
    """A well-formed resident ID number (the birth date is not compared with today)."""
    return _ID_SHAPE.match(number) is not None and _valid_id_body(number)


def _valid_id_body(number: str) -> bool:
    try:
        birth_date(number)
    except Invalid:
        return False
    return number[-1] == ric.calc_check_digit(number)


def subject_numbers(raw: str) -> list[str]:
    """Every canonical form the typed number takes under some kind, checked or not: the credit
    gate asks about each, so that no choice of kind hides a listed number."""
    number = normalize_code(raw)
    forms = [number]
    for shortened in (_HK_MACAO, _TAIWAN):
        match = shortened.match(number)
        if match is not None and match.group(1) not in forms:
            forms.append(match.group(1))
    return forms if number else []


def any_document_number(raw: str, kinds: tuple[IdType, ...] = SEARCHED) -> str:
    """The canonical number under the first of `kinds` it is valid for; the first kind's reason if none."""
    first: Invalid | None = None
    for kind in kinds:
        try:
            return document_number(kind, raw)
        except Invalid as error:
            first = first or error
    raise first or Invalid(Reason.required)
