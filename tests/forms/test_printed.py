"""Letter numbers and verify codes as people paste and type them: out of a chat (with the bot's
invisible isolate marks), from paper, on a phone keyboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.letter import letter_number
from forms.validation import Invalid, Reason, parse_letter_number, parse_verify_code

TYPINGS: list[Callable[[str], str]] = [
    lambda s: s,
    str.lower,
    lambda s: s.replace("-", ""),
    lambda s: s.replace("-", " "),
    lambda s: f"\u2066{s}\u2069",
]


@pytest.mark.parametrize(
    "typed",
    [
        "SFJ-2026-000042",
        "\u2066SFJ-2026-000042\u2069",  # copied from the bot's message in Uyghur
        "\u2067SFJ-2026-000042\u2069\u200f",
        "sfj 2026 000042",
        "SFJ2026000042",
        "ＳＦＪ－２０２６－００００４２",  # full-width, from a Chinese input method
        "SFJ‐2026‐000042",  # U+2010, what a phone may type for a dash
    ],
)
def test_a_letter_number_however_pasted_or_typed(typed: str) -> None:
    assert parse_letter_number(typed) == "SFJ-2026-000042"


@pytest.mark.parametrize(
    "typed", ["", "SFJ-2026-00042", "S-2026-000042", "SFJ-2026-000042X", "SFJ-26-000042", "SFJ-2026-000042" * 5]
)
def test_what_is_no_letter_number_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_letter_number(typed)
    assert refused.value.reason is Reason.letter_number_format


@given(
    st.from_regex(r"[A-Z][A-Z0-9]{1,9}", fullmatch=True),
    st.integers(2000, 2099),
    st.integers(0, 999999),
    st.sampled_from(TYPINGS),
)
def test_every_number_the_api_gives_reads_back_as_itself(
    department: str, year: int, sequence: int, typing: Callable[[str], str]
) -> None:
    number = letter_number(department, year, sequence)
    assert parse_letter_number(typing(number)) == number


@pytest.mark.parametrize("typed", ["ABCD-2345", "abcd2345", "ABCD 2345", "\u2066ABCD-2345\u2069", "ａｂｃｄ－２３４５"])
def test_a_verify_code_however_pasted_or_typed(typed: str) -> None:
    assert parse_verify_code(typed) == "ABCD-2345"


@pytest.mark.parametrize("typed", ["", "ABCD-234", "ABCD-23456", "ÄBCD-2345", "ABC!-2345", "阿BCD-2345", "A" * 100])
def test_what_is_no_verify_code_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_verify_code(typed)
    assert refused.value.reason is Reason.verify_code_format
