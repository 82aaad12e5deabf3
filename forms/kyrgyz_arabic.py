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
_FRONT_LETTERS = frozenset("ەكگ")  # already show frontness in writing, so no hamza is needed

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


def _word(word: str) -> str:
    """Transliterate one run of Cyrillic letters."""
    low = unicodedata.normalize("NFC", word).lower()
    letters: list[str] = []
    for i, c in enumerate(low):
        arabic = LETTERS[c]
        if isinstance(arabic, tuple):
            arabic = arabic[0] if _is_front(low, i) else arabic[1]
        letters.append(arabic)
    out = "".join(letters)
    vowels = [c for c in low if c in _VOWELS]
    if vowels and FRONT_VOWELS.issuperset(vowels) and not _FRONT_LETTERS.intersection(out):
        out = HAMZA + out
    return out


def _neighbour(tokens: list[tuple[str, str]], i: int, step: int) -> tuple[str, str]:
    """The nearest token from i in direction step, skipping whitespace and markup."""
    i += step
    while 0 <= i < len(tokens) and (tokens[i][0] == "keep" or tokens[i][1].isspace()):
        i += step
    return tokens[i] if 0 <= i < len(tokens) else ("", "")


def _in_kyrgyz(tokens: list[tuple[str, str]], i: int) -> bool:
    """Whether the punctuation at i touches Cyrillic text; so 1,000 and Arabic-script input keep theirs."""
    return "word" in (_neighbour(tokens, i, -1)[0], _neighbour(tokens, i, 1)[0])


def to_arabic(text: str) -> str:
    """Transliterate Kyrgyz Cyrillic letters (and , ; ? next to them) to ky_Arab; all else passes through."""
    tokens = [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)]
    out: list[str] = []
    for i, (kind, token) in enumerate(tokens):
        if kind == "word":
            out.append(_word(token))
        elif kind == "other" and token in PUNCTUATION and _in_kyrgyz(tokens, i):
            out.append(PUNCTUATION[token])
        else:
            out.append(token)
    return "".join(out)


def is_arabic_script(text: str) -> bool:
    """Whether every letter outside placeholders and tags is an Arabic-script letter."""
    return all("ARABIC" in unicodedata.name(c, "") for c in re.sub(_MARKUP, " ", text) if c.isalpha())
