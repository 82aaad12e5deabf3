"""Cyrillic Kyrgyz to the Arabic-based Kyrgyz alphabet of Xinjiang (ky_Arab), word by word."""

from __future__ import annotations

import re
import unicodedata

# The one place the letter mapping lives. к and г are (front, back) pairs picked by vowel harmony.
LETTERS: dict[str, str | tuple[str, str]] = {
    "а": "ا",
    "б": "ب",
    "в": "ۋ",
    "г": ("گ", "ع"),  # back ғ is ع in Kyrgyz, not Uyghur/Kazakh غ
    "д": "د",
    "е": "ە",
    "ё": "يو",
    "ж": "ج",
    "з": "ز",
    # ى, not ي: Xinjiang charts write и and ы alike (ى) and let the hamza mark front words; ي is й.
    "и": "ى",
    "й": "ي",
    "к": ("ك", "ق"),
    "л": "ل",
    "м": "م",
    "н": "ن",
    "ң": "ڭ",
    "о": "و",
    "ө": "ۅ",
    "п": "پ",
    "р": "ر",
    "с": "س",
    "т": "ت",
    "у": "ۇ",
    "ү": "ۉ",
    "ф": "ف",
    "х": "ح",  # Kyrgyz uses ح for х where Uyghur uses خ
    "ц": "تس",
    "ч": "چ",
    "ш": "ش",
    "щ": "شچ",
    "ъ": "",
    "ы": "ى",
    "ь": "",
    "э": "ە",
    "ю": "يۇ",
    "я": "يا",
}
PUNCTUATION: dict[str, str] = {",": "،", ";": "؛", "?": "؟"}
HAMZA = "\u0674"  # high hamza: marks a front-vowel word the letters alone do not show as front

FRONT_VOWELS = frozenset("еэиөү")
BACK_VOWELS = frozenset("аоуыёюя")  # ё ю я are й + о у а
_VOWELS = FRONT_VOWELS | BACK_VOWELS
# Letters that already show a word is front, so no hamza is needed: ۅ and ۉ are front vowels
# themselves; the hamza is left for words whose front vowels are и (ى, which ы shares) alone.
_FRONT_LETTERS = frozenset("ەكگۅۉ")
# Loanwords keep ك/گ whatever their vowels (دوكۇمەنت, not دوقۇمەنت); the native suffixes after
# the stem follow harmony again (دوكۇمەنتتەر, يۇرىدىكالىق). Stems as they start a lower-case word.
LOAN_STEMS: tuple[str, ...] = (
    "авиа",
    "агроном",
    "академи",
    "акт",
    "административ",
    "банк",
    "газ",
    "гектар",
    "дезинфекци",
    "динамика",
    "документ",
    "категори",
    "квалификаци",
    "квитанци",
    "килограмм",
    "клиника",
    "код",
    "комисси",
    "комитет",
    "коммерци",
    "компани",
    "компенсаци",
    "компьютер",
    "кондитер",
    "контракт",
    "конфискаци",
    "кооператив",
    "копи",
    "курс",
    "медицина",
    "микро",
    "мобил",
    "округ",
    "политика",
    "практика",
    "программа",
    "продукци",
    "пункт",
    "республика",
    "секунд",
    "сертификат",
    "сканер",
    "социал",
    "спутник",
    "статистика",
    "субъект",
    "телеграм",
    "техника",
    "турист",
    "факт",
    "финанс",
    "электрон",
    "экологи",
    "экономика",
    "этика",
    "юридика",
    "август",  # the months are Russian loans too
    "октябр",
    "декабр",
    "платформа",
    "файл",
    "форма",
)

_CYRILLIC = "".join(LETTERS) + "".join(LETTERS).upper()
# Kept verbatim: str.format placeholders (and escaped braces) and HTML-like tags.
_MARKUP = r"\{\{|\}\}|\{[^{}]*\}|</?[A-Za-z][^<>]*>"
# й and ё may be typed as и/е plus a combining mark; they must not split the word.
_LETTER = rf"[Ии]\u0306|[Ее]\u0308|[{re.escape(_CYRILLIC)}]"
_TOKEN = re.compile(rf"(?P<keep>{_MARKUP})|(?P<word>(?:{_LETTER})+)|(?P<other>.)", re.S)


def _is_front(word: str, i: int) -> bool:
    """Whether the к/г at word[i] is front, judged by the vowel of its syllable."""
    before = [c for c in reversed(word[:i]) if c in _VOWELS]
    after = [c for c in word[i + 1 :] if c in _VOWELS]
    # Before a vowel (or in a word-initial cluster: кредит) it opens the next syllable;
    # before a consonant it closes the previous one, which matters in compounds: ак|чий.
    opens_next = word[i + 1 : i + 2] in _VOWELS or not before
    nearest = (after + before) if opens_next else before
    return not nearest or nearest[0] in FRONT_VOWELS


def loan_stem(low: str) -> str:
    """The loanword stem a lower-case word starts with, or ""."""
    return max((stem for stem in LOAN_STEMS if low.startswith(stem)), key=len, default="")


def _word(word: str) -> str:
    """Transliterate one run of Cyrillic letters."""
    low = unicodedata.normalize("NFC", word).lower()
    loan = len(loan_stem(low))
    letters: list[str] = []
    for i, c in enumerate(low):
        arabic = LETTERS[c]
        if isinstance(arabic, tuple):
            arabic = arabic[0] if i < loan or _is_front(low, i) else arabic[1]
        letters.append(arabic)
    out = "".join(letters)
    vowels = [c for c in low if c in _VOWELS]
    if vowels and FRONT_VOWELS.issuperset(vowels) and not _FRONT_LETTERS.intersection(out):
        out = HAMZA + out
    return out


def _in_kyrgyz(tokens: list[tuple[str, str]], i: int, kyrgyz: bool) -> bool:
    """Whether the punctuation at i is written the Arabic way: anywhere in a Kyrgyz text (next to
    a bracket, a guillemet, a digit or Latin letters too), or in a text of punctuation alone (a
    joiner such as ", "). A number's own separator (1,000 and 1,5) stays; so does the punctuation
    of a text with no Kyrgyz in it (Latin, or already in Arabic script)."""
    joined = 0 < i < len(tokens) - 1 and tokens[i - 1][1].isdigit() and tokens[i + 1][1].isdigit()
    if joined:
        return False
    return kyrgyz or not any(token.isalnum() for _, token in tokens)


def to_arabic(text: str) -> str:
    """Transliterate Kyrgyz Cyrillic letters (and the text's , ; ?) to ky_Arab; all else passes through."""
    tokens = [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)]
    kyrgyz = any(kind == "word" for kind, _ in tokens)
    out: list[str] = []
    for i, (kind, token) in enumerate(tokens):
        if kind == "word":
            out.append(_word(token))
        elif kind == "other" and token in PUNCTUATION and _in_kyrgyz(tokens, i, kyrgyz):
            out.append(PUNCTUATION[token])
        else:
            out.append(token)
    return "".join(out)


def is_arabic_script(text: str) -> bool:
    """Whether every letter outside placeholders and tags is an Arabic-script letter."""
    return all("ARABIC" in unicodedata.name(c, "") for c in re.sub(_MARKUP, " ", text) if c.isalpha())
