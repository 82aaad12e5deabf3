"""Phones, names, dates and numbers as applicants type them on a phone."""

from datetime import date
from decimal import Decimal

import pytest

from forms.catalogue import load_catalogue
from forms.catalogue.models import FieldKind, ItemField
from forms.checks import across_fields
from forms.checks import answer as field_answer
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.validation import (
    Invalid,
    Reason,
    free_text,
    mobile,
    organisation_name,
    parse_date,
    parse_number,
    person_name,
    some_of,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "+86 138 0013 8000",
        "0086-138-0013-8000",
        "86 13800138000",
        "(138) 0013-8000",
        "１３８００１３８０００",
    ],
)
def test_mobile_numbers_with_or_without_the_country_code(typed: str) -> None:
    assert mobile(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["12800138000", "1380013800", "+7 700 123 4567", "0908-5622412", "138001380001"])
def test_what_is_not_a_mainland_mobile_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as raised:
        mobile(typed)
    assert raised.value.reason is Reason.phone_invalid


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("张伟", "张伟"),
        ("阿卜杜拉・艾力", "阿卜杜拉·艾力"),  # katakana middle dot from a Japanese-style keyboard
        ("阿卜杜拉 • 艾力", "阿卜杜拉·艾力"),
        ("阿卜杜拉.艾力", "阿卜杜拉·艾力"),  # a full stop where the keyboard has no middle dot
        ("阿卜杜拉 . 艾力", "阿卜杜拉·艾力"),
        ("阿卜杜拉。艾力", "阿卜杜拉·艾力"),
        ("阿卜杜拉‧艾力", "阿卜杜拉·艾力"),
        ("Асан.Үсөнов", "Асан·Үсөнов"),
        ("ئابدۇللا ئەخمەت", "ئابدۇللا ئەخمەت"),
        ("\u200fئابدۇللا  ئەخمەت\u200f", "ئابدۇللا ئەخمەت"),
        ("Асан Үсөнов", "Асан Үсөнов"),
        ("Jean-Luc O'Neil", "Jean-Luc O'Neil"),
        ("ﺋﺎﺑﺪﯗﻟﻼ", "ئابدۇللا"),  # presentation forms from an old document fold to letters
    ],
)
def test_names_in_every_script_we_serve(typed: str, kept: str) -> None:
    assert person_name(typed) == kept


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", Reason.required),
        ("张", Reason.name_length),
        ("张伟2", Reason.name_chars),
        ("张伟!", Reason.name_chars),
        ("·张伟", Reason.name_chars),
        ("张伟 Zhang", Reason.name_mixed),
        ("<b>张伟</b>", Reason.name_chars),
        ("张伟.", Reason.name_chars),  # a stop that joins nothing is not a middle dot
        ("J. Smith", Reason.name_chars),
    ],
)
def test_bad_names_say_why(typed: str, reason: Reason) -> None:
    with pytest.raises(Invalid) as raised:
        person_name(typed)
    assert raised.value.reason is reason


def test_organisation_names_may_hold_digits_and_brackets() -> None:
    assert organisation_name("阿合奇县天山（2号）餐饮有限公司") == "阿合奇县天山(2号)餐饮有限公司"
    with pytest.raises(Invalid):
        organisation_name("公司<script>")


@pytest.mark.parametrize(
    "typed",
    ["2026-03-01", "2026/3/1", "2026.03.01", "2026年3月1日", "20260301", "01.03.2026", "1/3/2026", "٢٠٢٦-٠٣-٠١"],
)
def test_dates_in_the_usual_ways_of_writing_them(typed: str) -> None:
    assert parse_date(typed) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("typed", "bounds", "reason"),
    [
        ("tomorrow", {}, Reason.date_format),
        ("2026-02-30", {}, Reason.date_invalid),
        ("2026-11-24", {"not_future": True}, Reason.date_future),
        ("2026-11-22", {"not_past": True}, Reason.date_past),
        ("2026-12-31", {"latest": date(2026, 12, 18)}, Reason.date_too_late),
    ],
)
def test_bad_dates_say_why(typed: str, bounds: dict, reason: Reason) -> None:
    with pytest.raises(Invalid) as raised:
        parse_date(typed, today=TODAY, **bounds)
    assert raised.value.reason is reason


def test_the_too_late_message_names_the_latest_date() -> None:
    with pytest.raises(Invalid) as raised:
        parse_date("2026-12-31", latest=date(2026, 12, 18))
    assert "2026-12-18" in raised.value.message(lambda s: s)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("3", Decimal(3)),
        ("1,500", Decimal(1500)),
        ("1 500", Decimal(1500)),
        ("2,5", Decimal("2.5")),
        ("٣٫٥", Decimal("3.5")),
        ("１２", Decimal(12)),
    ],
)
def test_numbers_as_typed(typed: str, value: Decimal) -> None:
    assert parse_number(typed) == value


def test_numbers_out_of_bounds_name_the_bound() -> None:
    with pytest.raises(Invalid) as raised:
        parse_number("25", minimum=1, maximum=20)
    assert raised.value.reason is Reason.number_too_large
    assert "20" in raised.value.message(lambda s: s)
    with pytest.raises(Invalid) as raised:
        parse_number("three")
    assert raised.value.reason is Reason.number_format


def test_free_text_is_bounded_and_kept_as_text() -> None:
    assert free_text("  <b>欠薪</b>  ", max_length=20) == "<b>欠薪</b>"
    with pytest.raises(Invalid) as raised:
        free_text("长" * 301, max_length=300)
    assert raised.value.params == {"maximum": 300, "length": 301}


def test_materials_keep_the_list_order() -> None:
    assert some_of({"b", "a"}, ["a", "b", "c"]) == ["a", "b"]
    with pytest.raises(Invalid):
        some_of([], ["a"])
    with pytest.raises(Invalid):
        some_of(["z"], ["a"])


def _number_field(item_code: str, key: str) -> ItemField:
    item = load_catalogue().items[item_code]
    return next(f for f in item.fields if f.key == key)


@pytest.mark.parametrize("typed", ["1200", "1200亩", "1200 亩", "1200 مو", "1 200 му", "1200مۇ", "1,200 МУ"])
def test_a_number_may_be_typed_with_the_questions_unit(typed: str) -> None:
    assert field_answer(_number_field("NYJ-001", "contracted_area"), typed) == "1200"


def test_another_unit_is_refused_naming_the_questions_unit_in_the_readers_language() -> None:
    with pytest.raises(Invalid) as raised:
        field_answer(_number_field("NYJ-001", "contracted_area"), "1200元")
    assert raised.value.reason is Reason.number_other_unit
    assert "亩" in raised.value.message(lambda text: text)
    assert "مو" in raised.value.message(lambda text: text, "ug")


def test_a_count_of_people_is_a_whole_number() -> None:
    household = _number_field("SFJ-001", "household_size")
    assert field_answer(household, "3人") == "3"
    with pytest.raises(Invalid) as raised:
        field_answer(household, "3.5")
    assert raised.value.reason is Reason.number_whole
    assert field_answer(_number_field("NYJ-001", "contracted_area"), "3.5") == "3.5"  # areas are not counts


def test_every_number_question_has_a_unit() -> None:
    for item in load_catalogue().items.values():
        for field in item.fields:
            assert field.kind is not FieldKind.number or field.unit is not None, (item.code, field.key)


def test_the_parts_of_an_area_may_not_exceed_the_whole_and_the_message_names_the_fields() -> None:
    item = load_catalogue().items["NYJ-001"]
    fine = {"contracted_area": "1000", "ban_area": "600", "balance_area": "400"}
    assert across_fields(item, fine) == []
    [found] = across_fields(item, {**fine, "balance_area": "401"})
    assert found.reason is Reason.parts_exceed_total and found.field == "contracted_area"
    chinese = found.message(lambda text: text)
    assert "其中禁牧面积、其中草畜平衡面积" in chinese and "承包草原总面积" in chinese, chinese
    uyghur = found.message(gettext_for(Lang.ug), "ug")
    assert "ئوتلاقنىڭ ئومۇمىي كۆلىمى" in uyghur and "{" not in uyghur, uyghur
    assert across_fields(item, {**fine, "balance_area": ""}) == []  # not all answered yet: no verdict
