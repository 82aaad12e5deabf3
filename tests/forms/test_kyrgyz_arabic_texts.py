"""The Arabic-script Kyrgyz rules of TERMS.md, held on every text we ship (locales and catalogue)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from forms.catalogue import load_catalogue
from forms.kyrgyz_arabic import HAMZA, loan_stem, to_arabic

ROOT = Path(__file__).resolve().parents[2]


def _po(lang: str) -> dict[str, str]:
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f) if m.id and m.string}


def _catalogue_texts(lang: str) -> list[str]:
    """Every translated text of the catalogue's YAML files, in one language."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("zh"), str) and isinstance(node.get(lang), str):
                found.append(node[lang])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    import yaml

    for path in sorted((ROOT / "forms" / "catalogue").rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


ARABIC_TEXTS = [*_po("ky_Arab").values(), *_catalogue_texts("ky_Arab")]
CYRILLIC_TEXTS = [*_po("ky").values(), *_catalogue_texts("ky")]
_WORD = re.compile(r"[\u0620-\u06ff\u0674]+")


def test_the_texts_are_there() -> None:
    assert len(ARABIC_TEXTS) > 1000 and len(CYRILLIC_TEXTS) > 1000
    assert load_catalogue().items  # the catalogue the texts come from loads


def test_the_hamza_marks_only_words_whose_front_vowels_are_i_alone() -> None:
    # ۅ ۉ ە ك گ already show a word is front: a hamza before them is superfluous (ٴۉي, ٴبۉلۅ)
    wrong = {w for text in ARABIC_TEXTS for w in _WORD.findall(text) if w.startswith(HAMZA) and set(w) & set("ۅۉەكگ")}
    assert not wrong, sorted(wrong)[:20]


def test_the_shipped_texts_are_the_transliteration_of_the_kyrgyz() -> None:
    po_ky, po_arab = _po("ky"), _po("ky_Arab")
    stale = [msgid for msgid, text in po_ky.items() if po_arab.get(msgid) != to_arabic(text)]
    assert not stale, stale[:5]
    assert _catalogue_texts("ky_Arab") == [to_arabic(t) for t in _catalogue_texts("ky")]


# Letters only Russian loans have; such a word with к or г must be a known loan stem, so that it
# keeps ك/گ. A new loan in a text fails here until its stem is added to LOAN_STEMS.
_LOAN_LETTERS = re.compile("[фцщъь]")


def test_every_loanword_with_k_or_g_keeps_kaf() -> None:
    words = {w.lower() for t in CYRILLIC_TEXTS for w in re.findall(r"[А-Яа-яЁёӨөҮүҢң]+", t)}
    unknown = sorted(w for w in words if _LOAN_LETTERS.search(w) and re.search("[кг]", w) and not loan_stem(w))
    assert not unknown, unknown


@pytest.mark.parametrize(
    ("cyrillic", "arabic"),
    [
        ("документтер", "دوكۇمەنتتەر"),  # the stem keeps ك, the suffix follows harmony
        ("юридикалык", "يۇرىدىكالىق"),
        ("код", "كود"),
        ("округдун", "وكرۇگدۇن"),
        ("программа", "پروگرامما"),
        ("кызмат", "قىزمات"),  # a native word is untouched
        ("кабыл", "قابىل"),
    ],
)
def test_loanwords_keep_kaf(cyrillic: str, arabic: str) -> None:
    assert to_arabic(cyrillic) == arabic


@pytest.mark.parametrize(
    ("cyrillic", "arabic"),
    [
        ("(2027-жыл), андан", "(2027-جىل)، اندان"),
        ("«иш»; бала", "«ٴىش»؛ بالا"),
        ("мөөнөтү 15?", "مۅۅنۅتۉ 15؟"),
        ("(JPEG, PNG) файл", "(JPEG، PNG) فايل"),
        (", ", "، "),  # a joiner between translated parts
        ("1,000 сом", "1,000 سوم"),  # a number's own separator stays
    ],
)
def test_punctuation_next_to_brackets_guillemets_and_digits(cyrillic: str, arabic: str) -> None:
    assert to_arabic(cyrillic) == arabic


def test_no_latin_comma_semicolon_or_question_mark_in_arabic_script_texts() -> None:
    placeholders = re.compile(r"\{[^{}]*\}|<[^<>]*>")
    wrong = [t for t in ARABIC_TEXTS if re.search(r"(?<!\d)[,;?]|[,;?](?!\d)", placeholders.sub("", t))]
    assert not wrong, wrong[:5]
