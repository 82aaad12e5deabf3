"""Cyrillic Kyrgyz to ky_Arab: hand-checked glossary, harmony and hamza, pass-through, punctuation, properties."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.kyrgyz_arabic import HAMZA, LETTERS, is_arabic_script, to_arabic

# Worked out by hand, letter by letter, from the table and rules in forms/kyrgyz_arabic.py.
# и and ы are both ى, й is ي; к/г are ك/گ next to front vowels and ق/ع next to back ones;
# the hamza ٴ opens front words that contain none of ە ك گ.
GLOSSARY = [
    ("ишенимдүүлүк милдеттенмеси", "ىشەنىمدۉۉلۉك مىلدەتتەنمەسى"),
    ("билдирүү жана милдеттенме", "بىلدىرۉۉ جانا مىلدەتتەنمە"),  # ۉ is front: no hamza
    ("билдирүү", "بىلدىرۉۉ"),
    ("арыз ээси", "ارىز ەەسى"),
    ("милдеттенме берүүчү", "مىلدەتتەنمە بەرۉۉچۉ"),
    ("иш", "ٴىش"),
    ("бирдиктүү социалдык кредиттик код", "بىردىكتۉۉ سوتسىالدىق كرەدىتتىك كود"),
    ("инсандык күбөлүк", "ىنساندىق كۉبۅلۉك"),
    ("күбөлүктүн номери", "كۉبۅلۉكتۉن نومەرى"),
    ("кол тамга", "قول تامعا"),
    ("тейлөө терезеси", "تەيلۅۅ تەرەزەسى"),
    ("мамлекеттик кызмат көрсөтүү борбору", "ماملەكەتتىك قىزمات كۅرسۅتۉۉ بوربورۇ"),
    ("жетишпеген документтер менен кабыл алуу", "جەتىشپەگەن دوكۇمەنتتەر مەنەن قابىل الۇۇ"),
    ("кредиттик тарыхты калыбына келтирүү", "كرەدىتتىك تارىحتى قالىبىنا كەلتىرۉۉ"),
    ("ишенимди бузуу", "ىشەنىمدى بۇزۇۇ"),
    ("ишенимдүү өкүл", "ىشەنىمدۉۉ ۅكۉل"),
    ("милдеттенмени кайтарып алуу", "مىلدەتتەنمەنى قايتارىپ الۇۇ"),
    ("каршылык", "قارشىلىق"),
    ("үй", "ۉي"),
    ("бала", "بالا"),
    ("көл", "كۅل"),
    ("кыргыз", "قىرعىز"),
    ("Акчий", "اقچىي"),  # ак|чий: the к closes a back syllable, so ق although a front vowel follows
    ("Кызылсуу", "قىزىلسۇۇ"),
]


@pytest.mark.parametrize(("cyrillic", "arabic"), GLOSSARY)
def test_glossary(cyrillic: str, arabic: str) -> None:
    assert to_arabic(cyrillic) == arabic


def test_glossary_expectations_use_only_alphabet_letters() -> None:
    # Guards the hand-typed table against look-alikes (ي/ى/ی, ك/ک, ە/ه) that would pass unnoticed.
    alphabet = {c for v in LETTERS.values() for part in (v if isinstance(v, tuple) else (v,)) for c in part}
    for _, arabic in GLOSSARY:
        assert set(arabic) <= alphabet | {HAMZA, " "}, arabic


@pytest.mark.parametrize(
    ("cyrillic", "arabic"),
    [
        ("бүт", "بۉت"),  # ۉ is itself a front letter: no hamza
        ("тил", "ٴتىل"),  # и alone is front and needs the hamza to differ from тыл
        ("тыл", "تىل"),
        ("эл", "ەل"),  # ە already shows frontness
        ("кел", "كەل"),
        ("көк", "كۅك"),
        ("гүл", "گۉل"),  # г before a front vowel, no hamza
        ("ага", "اعا"),
        ("Ёлка", "يولقا"),  # ё counts as back
        ("ЮЯ", "يۇيا"),
        ("пальто", "پالتو"),  # ь dropped
        ("КЫРГЫЗ Кыргыз", "قىرعىز قىرعىز"),  # case does not matter
        ("бир-бирине", "ٴبىر-بىرىنە"),  # a hyphen ends a word
        ("чай", "چاي"),
        ("хат", "حات"),
        ("цех", "تسەح"),
        ("щи", "ٴشچى"),
        ("ң", "ڭ"),  # no vowel: no hamza
        ("", ""),
    ],
)
def test_letters_harmony_and_hamza(cyrillic: str, arabic: str) -> None:
    assert to_arabic(cyrillic) == arabic


def test_decomposed_letters_are_composed() -> None:
    assert to_arabic("и\u0306") == to_arabic("й") == "ي"
    assert to_arabic("Е\u0308л") == to_arabic("Ёл") == "يول"
    assert to_arabic("{и\u0306}") == "{и\u0306}"


def test_placeholder_kept_verbatim() -> None:
    assert to_arabic("Саламатсызбы, {name}!") == "سالاماتسىزبى، {name}!"
    assert to_arabic("{count:,d} иш") == "{count:,d} ٴىش"
    assert to_arabic("{{буква}} {аты}") == "{{بۇقۋا}} {аты}"


def test_tags_kept_verbatim() -> None:
    assert to_arabic("<b>Ооба</b>, жок") == "<b>ووبا</b>، جوق"
    assert to_arabic('<a href="x?y=1,2">бала</a>') == '<a href="x?y=1,2">بالا</a>'


@pytest.mark.parametrize(
    "text",
    ["USCC 91350100M000100Y43", "2024", "١٢٣ ۴۵", "阿合奇县 信用承诺书", "قىرعىز ٴتىلى، {name}؟", "a, b; c?", "\n\t  "],
)
def test_non_cyrillic_passes_through(text: str) -> None:
    assert to_arabic(text) == text


def test_mixed_line_keeps_digits_latin_and_chinese() -> None:
    assert to_arabic("Код: 91350100M000100Y43 (阿克陶县) 2024-жыл") == "كود: 91350100M000100Y43 (阿克陶县) 2024-جىل"


def test_punctuation() -> None:
    assert to_arabic("Ооба, жок?") == "ووبا، جوق؟"
    assert to_arabic("бала; көл") == "بالا؛ كۅل"
    assert to_arabic("1,000 сом") == "1,000 سوم"
    assert to_arabic("Сумма: 1,000; жок.") == "سۇمما: 1,000؛ جوق."
    assert to_arabic("Сиз {name}?") == "ٴسىز {name}؟"  # сиз is front: hamza
    assert to_arabic("бала. «көл» — (үй)! ана: -") == "بالا. «كۅل» — (ۉي)! انا: -"


def test_is_arabic_script() -> None:
    assert is_arabic_script("قىرعىز ٴتىلى، {name}: 123 <b>؟</b>")
    assert is_arabic_script("")
    assert not is_arabic_script("قىرعىز салам")
    assert not is_arabic_script("قىرعىز abc")
    assert not is_arabic_script("阿合奇")


_KY = "".join(LETTERS) + "".join(LETTERS).upper()
_WORDS = st.text(alphabet=_KY, min_size=1, max_size=12)
_PLACEHOLDERS = st.from_regex(
    r"\{[a-z_][a-z0-9_]{0,8}(![rs])?(:[<>^]?[0-9]{0,3}[,_]?(\.[0-9])?[dfs]?)?\}", fullmatch=True
)
_SEPARATORS = st.sampled_from(["", " ", ", ", "? ", "; ", "\n", "-", " 1,000 "])


@given(st.lists(st.tuples(st.one_of(_WORDS, _PLACEHOLDERS), _SEPARATORS), max_size=10))
def test_placeholders_survive_in_order(parts: list[tuple[str, str]]) -> None:
    text = "".join(piece + sep for piece, sep in parts)
    placeholders = [piece for piece, _ in parts if piece.startswith("{")]
    assert re.findall(r"\{[^{}]*\}", to_arabic(text)) == placeholders


@given(st.text(alphabet=_KY + " "))
def test_kyrgyz_output_is_arabic_script(text: str) -> None:
    out = to_arabic(text)
    assert is_arabic_script(out)
    assert not re.search("[\u0400-\u04ff]", out)


@given(st.text(alphabet=_KY + " ,;?.-{}<>/:!0123456789abcXYZ\n«»—" + "قىرعىزٴ阿合奇") | st.text())
def test_idempotent(text: str) -> None:
    once = to_arabic(text)
    assert to_arabic(once) == once
