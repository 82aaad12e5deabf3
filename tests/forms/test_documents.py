"""Every kind of identity document a letter takes: real-looking numbers, typing habits, refusals,
and the property the credit gate stands on: one number, one canonical form, whatever kind is chosen."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.letter import Letter
from forms.questionnaire import answered, questions
from forms.render.letter import letter_html
from forms.sample import SAMPLE_ID, sample_letter
from forms.validation import (
    MESSAGES,
    PERSON_DOCUMENTS,
    IdType,
    Invalid,
    Reason,
    any_document_number,
    document_number,
    subject_numbers,
)


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


HONG_KONG_RESIDENT = with_check("81000019850612001")
TAIWAN_RESIDENT = with_check("83000019921130002")
PERMANENT_NEW = with_check("93184019880704001")  # 9, Shanghai (31), nationality 840, born 1988-07-04

ACCEPTED = [
    (IdType.passport, "E12345678", "E12345678"),
    (IdType.passport, "EA1234567", "EA1234567"),
    (IdType.passport, "ej 123 4567", "EJ1234567"),
    (IdType.passport, "G12345678", "G12345678"),  # the pre-2012 booklet
    (IdType.passport, "SE1234567", "SE1234567"),  # a service passport
    (IdType.hk_macao_permit, "H12345678", "H12345678"),
    (IdType.hk_macao_permit, "M87654321", "M87654321"),
    (IdType.hk_macao_permit, "h1234567801", "H12345678"),  # the booklet's two digits of renewals
    (IdType.taiwan_permit, "12345678", "12345678"),
    (IdType.taiwan_permit, "1234567801", "12345678"),  # issue count, before 2008
    (IdType.taiwan_permit, "1234567801（B）", "12345678"),  # and the issuing office, full-width
    (IdType.residence_permit, HONG_KONG_RESIDENT, HONG_KONG_RESIDENT),
    (IdType.residence_permit, TAIWAN_RESIDENT.lower(), TAIWAN_RESIDENT),
    (IdType.permanent_residence, PERMANENT_NEW, PERMANENT_NEW),
    (IdType.permanent_residence, "usa 110080 052901", "USA110080052901"),  # the 2004/2017 card
    (IdType.foreign_passport, "123456789", "123456789"),  # United States
    (IdType.foreign_passport, "C01X00T47", "C01X00T47"),  # Germany
    (IdType.foreign_passport, "ac 1234567", "AC1234567"),  # Kyrgyzstan
    (IdType.foreign_passport, "\u2066N1234567\u2069", "N1234567"),  # copied out of right-to-left text
]


@pytest.mark.parametrize(("kind", "typed", "canonical"), ACCEPTED)
def test_real_looking_numbers_of_every_kind_are_accepted(kind: IdType, typed: str, canonical: str) -> None:
    assert document_number(kind, typed) == canonical
    assert canonical in subject_numbers(typed)


REFUSED = [
    (IdType.passport, "E1234567", Reason.passport_format),
    (IdType.passport, "X12345678", Reason.passport_format),
    (IdType.passport, "E123456789", Reason.passport_format),
    (IdType.hk_macao_permit, "K12345678", Reason.hk_macao_permit_format),
    (IdType.hk_macao_permit, "H1234567", Reason.hk_macao_permit_format),
    (IdType.hk_macao_permit, "H123456789", Reason.hk_macao_permit_format),
    (IdType.taiwan_permit, "1234567", Reason.taiwan_permit_format),
    (IdType.taiwan_permit, "A1234567", Reason.taiwan_permit_format),
    (IdType.residence_permit, with_check("84000019850612001"), Reason.residence_permit_format),
    (IdType.residence_permit, wrong_check(HONG_KONG_RESIDENT), Reason.document_checksum),
    (IdType.residence_permit, with_check("81000019851312001"), Reason.id_birth_date),
    (IdType.permanent_residence, wrong_check(PERMANENT_NEW), Reason.document_checksum),
    (IdType.permanent_residence, "US110080052901", Reason.permanent_residence_format),
    (IdType.foreign_passport, "ABCDEFG", Reason.foreign_passport_format),  # no digit
    (IdType.foreign_passport, "1234", Reason.foreign_passport_format),
    (IdType.foreign_passport, "1234567890123456", Reason.foreign_passport_format),
    (IdType.foreign_passport, "E1234567!", Reason.foreign_passport_format),
    (IdType.other, "E12345678", Reason.choice_unknown),  # stored letters only: never accepted again
    (IdType.passport, " - ", Reason.required),
]


@pytest.mark.parametrize(("kind", "typed", "reason"), REFUSED)
def test_malformed_numbers_are_refused_with_the_kinds_own_reason(kind: IdType, typed: str, reason: Reason) -> None:
    with pytest.raises(Invalid) as refused:
        document_number(kind, typed, today=date(2026, 6, 1))
    assert refused.value.reason is reason


@pytest.mark.parametrize("kind", [k for k in PERSON_DOCUMENTS if k is not IdType.resident_id])
@pytest.mark.parametrize("typed", [SAMPLE_ID, "653022 19900315 0016", SAMPLE_ID.lower(), "653022-19900315-0016"])
def test_a_resident_id_typed_as_another_kind_is_sent_back_to_the_resident_id(kind: IdType, typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        document_number(kind, typed)
    assert refused.value.reason in (Reason.document_is_resident_id, Reason.residence_permit_format,
                                    Reason.permanent_residence_format)  # fmt: skip
    assert SAMPLE_ID in subject_numbers(typed)  # and the credit gate finds it all the same


# Typing habits: spaces and dashes anywhere, lower case, full-width forms, marks around the number.
_DECORATIONS = st.sampled_from([
    lambda s: s, str.lower, lambda s: " ".join(s), lambda s: "-".join([s[:6], s[6:]]),
    lambda s: "\u2066" + s + "\u2069", lambda s: "\u200f" + s, lambda s: s.translate({ord(c): ord(c) + 0xFEE0 for c in
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}),
])  # fmt: skip
_BIRTHS = st.dates(date(1920, 1, 1), date(2020, 12, 31))


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["653022", "110105", "440524", "650102"]))
    order = draw(st.text("0123456789", min_size=3, max_size=3))
    return with_check(f"{region}{draw(_BIRTHS):%Y%m%d}{order}")


@st.composite
def documents(draw: st.DrawFn) -> tuple[IdType, str]:
    """A valid number of some kind of document, as printed on it."""

    def digits(count: int) -> str:
        return draw(st.text("0123456789", min_size=count, max_size=count))

    kind = draw(st.sampled_from(PERSON_DOCUMENTS))
    born = f"{draw(_BIRTHS):%Y%m%d}"
    if kind is IdType.resident_id:
        return kind, draw(resident_ids())
    if kind is IdType.passport:
        return kind, draw(st.sampled_from(["E", "G"])) + digits(8)
    if kind is IdType.hk_macao_permit:
        return kind, draw(st.sampled_from("HM")) + digits(8)
    if kind is IdType.taiwan_permit:
        return kind, digits(8)
    if kind is IdType.residence_permit:
        return kind, with_check(f"{draw(st.sampled_from(['81', '82', '83']))}0000{born}{digits(3)}")
    if kind is IdType.permanent_residence:
        return kind, with_check(f"9{digits(5)}{born}{digits(3)}")
    return kind, draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=2, max_size=2)) + digits(7)


@given(documents(), _DECORATIONS)
def test_every_way_of_typing_a_number_gives_its_canonical_form(document: tuple[IdType, str], typing: object) -> None:
    kind, printed = document
    typed = typing(printed)  # type: ignore[operator]
    canonical = document_number(kind, typed)
    assert canonical == document_number(kind, printed) == document_number(kind, canonical)
    assert canonical in subject_numbers(typed)
    assert any_document_number(typed) in subject_numbers(typed)  # the window's search finds it


@given(resident_ids(), _DECORATIONS, st.sampled_from(PERSON_DOCUMENTS))
def test_no_kind_of_document_hides_a_resident_id(number: str, typing: object, kind: IdType) -> None:
    """Listed under its resident ID, a person is found whatever kind they choose and however they type it."""
    typed = typing(number)  # type: ignore[operator]
    assert number in subject_numbers(typed)
    try:
        assert document_number(kind, typed) == number  # accepted: as the resident ID itself
    except Invalid as refused:
        assert kind is not IdType.resident_id and refused.reason is not Reason.required


def test_choosing_another_kind_asks_for_the_number_again_with_that_kinds_hint(catalogue: Catalogue) -> None:
    item = catalogue.items["SFJ-001"]
    answers = answered(answered({}, "applicant.id_type", "resident_id"), "applicant.id_number", SAMPLE_ID)
    assert answered(answers, "applicant.id_type", "resident_id")["applicant.id_number"] == SAMPLE_ID
    changed = answered(answers, "applicant.id_type", "passport")
    assert "applicant.id_number" not in changed
    asked = next(q for q in questions(item, changed) if q.key == "applicant.id_number")
    assert asked.hint == MESSAGES[Reason.passport_format]
    organisation = catalogue.items["SCJG-002"]  # a company: its credit code, nothing to choose
    assert "applicant.id_type" not in {q.key for q in questions(organisation, {})}


def test_a_letter_stored_with_the_old_other_kind_still_reads_and_renders(catalogue: Catalogue) -> None:
    item = catalogue.items["SFJ-001"]
    stored = sample_letter(item, Lang.ug).model_dump(mode="json")
    stored["applicant"] |= {"id_type": "other", "id_number": "X-1 (old passport)"}
    letter = Letter.model_validate(stored)  # as api.services.documents reads the encrypted document
    html = letter_html(letter, item, verify_url="https://chengnuo.example.cn/verify/x")
    assert "其他证件" in html and "X-1 (old passport)" in html
