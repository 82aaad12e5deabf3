"""A whole letter checked against its item: the rules the API applies again on submission."""

from __future__ import annotations

from datetime import date

import pytest

from forms.catalogue import ApplicantKind, Catalogue, CommitmentType, Item
from forms.checks import latest_supplement_date, problems
from forms.languages import Lang
from forms.letter import Agent, IdType, Letter, Supplement, add_months
from forms.sample import SAMPLE_ID, sample_letter
from forms.validation import Reason
from forms.workdays import add_working_days, is_working_day


def item_where(catalogue: Catalogue, **wanted: object) -> Item:
    return next(i for i in catalogue.items.values() if all(getattr(i, k) == v for k, v in wanted.items()))


def reasons(letter: Letter, item: Item) -> dict[str, Reason]:
    return {p.field: p.reason for p in problems(letter, item)}


def test_a_wrong_id_is_refused_with_its_reason(catalogue: Catalogue) -> None:
    item = catalogue.items["SFJ-001"]
    letter = sample_letter(item, Lang.zh)
    wrong = letter.applicant.model_copy(update={"id_number": SAMPLE_ID[:-1] + ("0" if SAMPLE_ID[-1] != "0" else "1")})
    assert reasons(letter.model_copy(update={"applicant": wrong}), item) == {"applicant.id_number": Reason.id_checksum}


def test_an_agent_where_the_item_forbids_proxy_commitment(catalogue: Catalogue) -> None:
    item = item_where(catalogue, proxy_allowed=False)
    letter = sample_letter(item, Lang.zh)
    agent = Agent(name="李四", id_type=IdType.resident_id, id_number=SAMPLE_ID, phone="13900000000")
    assert reasons(letter.model_copy(update={"agent": agent}), item) == {"agent": Reason.agent_not_allowed}


def test_an_organisation_needs_its_credit_code_and_legal_representative(catalogue: Catalogue) -> None:
    item = next(i for i in catalogue.items.values() if i.applicant_kinds[0] is ApplicantKind.company)
    letter = sample_letter(item, Lang.zh)
    no_representative = letter.applicant.model_copy(update={"legal_representative": None})
    assert reasons(letter.model_copy(update={"applicant": no_representative}), item) == {
        "applicant.legal_representative": Reason.representative_required
    }
    resident = letter.applicant.model_copy(update={"id_type": IdType.resident_id, "id_number": SAMPLE_ID})
    assert reasons(letter.model_copy(update={"applicant": resident}), item) == {
        "applicant.id_type": Reason.id_type_mismatch
    }


def test_an_applicant_kind_the_item_does_not_take(catalogue: Catalogue) -> None:
    item = next(i for i in catalogue.items.values() if ApplicantKind.company not in i.applicant_kinds)
    letter = sample_letter(item, Lang.zh)
    company = letter.applicant.model_copy(update={"kind": ApplicantKind.company})
    assert reasons(letter.model_copy(update={"applicant": company}), item) == {
        "applicant.kind": Reason.applicant_kind_not_allowed
    }


def test_every_required_field_missing_is_reported_at_once(catalogue: Catalogue) -> None:
    item = max(catalogue.items.values(), key=lambda i: len([f for f in i.fields if f.required]))
    letter = sample_letter(item, Lang.zh).model_copy(update={"answers": {}})
    required = {f.key for f in item.fields if f.required}
    assert len(required) >= 2
    assert reasons(letter, item) == dict.fromkeys(required, Reason.required)


def test_a_supplement_promised_beyond_the_items_maximum(catalogue: Catalogue) -> None:
    item = item_where(catalogue, commitment_type=CommitmentType.missing_material)
    letter = sample_letter(item, Lang.zh)
    latest = latest_supplement_date(item, letter.signed_at.date())
    assert latest is not None
    late = Supplement(materials=[item.missing_materials[0].value], due_on=add_months(latest, 1))
    found = problems(letter.model_copy(update={"supplement": late}), item)
    assert [(p.field, p.reason, p.params) for p in found] == [
        ("supplement.due_on", Reason.date_too_late, {"latest": latest.isoformat()})
    ]
    assert reasons(letter.model_copy(update={"supplement": None}), item) == {"supplement": Reason.materials_required}


def test_working_days_skip_the_spring_festival() -> None:
    # 2026: the Spring Festival holiday runs 15-23 February; Saturday 14 February is worked
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ky_Arab])
def test_the_signature_covers_what_was_signed(catalogue: Catalogue, lang: Lang) -> None:
    item = catalogue.items["SFJ-001"]
    letter = sample_letter(item, lang)
    assert letter.signature is not None
    assert letter.signature.content_hash == letter.content_hash()
    assert letter.signature.notice_hash == item.notice_hash == letter.notice_hash
    field = item.fields[0].key
    changed = letter.model_copy(update={"answers": {**letter.answers, field: "9"}})
    assert changed.content_hash() != letter.content_hash()
    renumbered = letter.model_copy(update={"number": "SFJ-2026-000042"})
    assert renumbered.content_hash() == letter.content_hash()


def test_years_the_calendar_does_not_cover_fall_back_to_weekdays() -> None:
    assert is_working_day(date(2099, 3, 2))  # a Monday
    assert not is_working_day(date(2099, 3, 1))  # a Sunday
