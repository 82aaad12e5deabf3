"""Resident IDs and credit codes: published samples, typing habits, and check-character properties."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from forms.validation import Invalid, Reason, credit_code, mask_id, resident_id
from forms.validation.ids import USCC_ALPHABET

# Published samples: GB 11643-1999's worked example, and the codes of registered organisations
# (山东步长制药 91370000728611939A, 中国红十字基金会 531000005000160090, 河南省嵩山少林寺文化院
# 52410000663412719U, 小米科技 91110108551385082Q, the pyHanko/stdnum example 91350100M000100Y43).
REAL_IDS = ["11010519491231002X", "440524188001010014", "360426199101010071"]
REAL_CODES = [
    "91350100M000100Y43",
    "91370000728611939A",
    "531000005000160090",
    "52410000663412719U",
    "91110108551385082Q",
    "91310115591693856A",
    "91310110666007217T",
]


@pytest.mark.parametrize("number", REAL_IDS)
def test_published_resident_ids_validate(number: str) -> None:
    assert resident_id(number) == number


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_credit_codes_validate(code: str) -> None:
    assert credit_code(code) == code


def test_codes_with_letters_in_the_first_eight_are_accepted() -> None:
    # A village collective (N = 农业, 2 = 村级) and a military unit (A); stdnum refuses both
    # at the format step. Constructed with the standard's check: no published N code was at hand.
    for body in ("N2653022MF0000001", "A1110000MB1234567"):
        code = body + uscc.calc_check_digit(body)
        assert credit_code(code) == code
        with pytest.raises(ValidationError):
            uscc.validate(code)


def test_region_codes_missing_from_tables_are_not_refused() -> None:
    body = "91999999MA0000001"  # 999999 is in no GB/T 2260 table
    assert credit_code(body + uscc.calc_check_digit(body))
    number = "99999919900101001"
    number += ric.calc_check_digit(number + "0")
    assert resident_id(number) == number


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width, as Chinese input methods type it
        "110105 1949 1231 002X",
        "110105-19491231-002X",
        "\u200e11010519491231002X\u200f",  # marks a phone adds in right-to-left text
        "\u2067١١٠١٠٥١٩٤٩١٢٣١٠٠٢X\u2069",  # Arabic-Indic digits from a Uyghur keyboard
        "۱۱۰۱۰۵۱۹۴۹۱۲۳۱۰۰۲X",  # extended Arabic-Indic digits
    ],
)
def test_typing_habits_are_normalised(typed: str) -> None:
    assert resident_id(typed) == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", Reason.required),
        ("1101051949123100", Reason.id_length),
        ("11010519491231002Y", Reason.id_chars),
        ("1101051949123100X2", Reason.id_chars),
        ("110105194902300021", Reason.id_birth_date),  # 30 February
        ("110105209912310021", Reason.id_birth_future),
        ("110105194912310021", Reason.id_checksum),
    ],
)
def test_invalid_resident_ids_say_why(number: str, reason: Reason) -> None:
    with pytest.raises(Invalid) as raised:
        resident_id(number, today=date(2026, 11, 23))
    assert raised.value.reason is reason


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("9135010M000100Y43", Reason.uscc_length),
        ("91350100M000100I43", Reason.uscc_chars),  # I is not in the alphabet
        ("9135A100M000100Y43", Reason.uscc_region),
        ("91350100M000100Y44", Reason.uscc_checksum),
        ("91350211M00013FA1N", Reason.uscc_checksum),  # an early pilot code that breaks the standard
    ],
)
def test_invalid_credit_codes_say_why(code: str, reason: Reason) -> None:
    with pytest.raises(Invalid) as raised:
        credit_code(code)
    assert raised.value.reason is reason


def test_the_check_digit_of_an_id_is_computed_with_the_birth_date_fixed() -> None:
    assert resident_id("11010519491231002X", today=date(1949, 12, 31))
    with pytest.raises(Invalid):
        resident_id("11010519491231002X", today=date(1949, 12, 30))


def test_masking_hides_the_birth_date() -> None:
    assert mask_id("11010519491231002X") == "110105********002X"
    assert "19491231" not in mask_id("11010519491231002X")


# -- properties ------------------------------------------------------------------------------

ID_CHARS = "0123456789X"


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = draw(st.from_regex(r"[1-9][0-9]{5}", fullmatch=True))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 11, 23)))
    body = region + born.strftime("%Y%m%d") + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return body + ric.calc_check_digit(body + "0")


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    head = draw(st.text(USCC_ALPHABET, min_size=2, max_size=2))
    region = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    body = head + region + draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    return body + uscc.calc_check_digit(body)


@given(valid_ids())
def test_a_generated_valid_id_always_validates(number: str) -> None:
    assert resident_id(number, today=date(2026, 11, 23)) == number


@given(valid_ids(), st.integers(0, 17), st.sampled_from(ID_CHARS + "ABZ7"))
def test_any_single_character_change_to_an_id_is_caught(number: str, at: int, char: str) -> None:
    changed = number[:at] + char + number[at + 1 :]
    if changed != number:
        with pytest.raises(Invalid):
            resident_id(changed, today=date(2026, 11, 23))


@given(valid_codes())
def test_a_generated_valid_code_always_validates(code: str) -> None:
    assert credit_code(code) == code


@given(valid_codes(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET + "IOSVZ"))
def test_any_single_character_change_to_a_code_is_caught(code: str, at: int, char: str) -> None:
    changed = code[:at] + char + code[at + 1 :]
    if changed != code:
        with pytest.raises(Invalid):
            credit_code(changed)
