"""Turn what a person typed or pasted into the canonical form before it is validated."""

from __future__ import annotations

import re
import unicodedata

# Invisible direction marks that phones insert around numbers in right-to-left text, plus
# zero-width characters pasted from documents: they would make an ID look wrong by one char.
BIDI_CONTROLS = "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_DROP_INVISIBLE = {ord(c): None for c in BIDI_CONTROLS}

# NFKC folds full-width forms but leaves Arabic-Indic digits alone; Python's \d would accept them.
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_DIGITS |= {0x066B: ".", 0x066C: ",", 0x060C: ","}  # Arabic decimal/thousands separators, comma

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc\ufe58\ufe63]+")
_MIDDLE_DOTS = re.compile(r"\s*[\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\uff65\u16eb\u2e31]\s*")
_SPACES = re.compile(r"\s+")


def strip_invisible(text: str) -> str:
    return text.translate(_DROP_INVISIBLE)


def ascii_digits(text: str) -> str:
    """Arabic-Indic and extended digits to 0-9 (full-width ones need NFKC first)."""
    return text.translate(_DIGITS)


def normalize_code(raw: str) -> str:
    """An ID, code or phone: full-width folded, digits ASCII, separators and marks gone, upper case."""
    text = ascii_digits(unicodedata.normalize("NFKC", strip_invisible(raw)))
    return _SEPARATORS.sub("", text).upper()


def normalize_text(raw: str) -> str:
    """A name or free text: NFKC, marks and control characters gone, one kind of middle dot, single spaces."""
    text = _drop_controls(unicodedata.normalize("NFKC", strip_invisible(raw)))
    text = _MIDDLE_DOTS.sub("\u00b7", text)
    return _SPACES.sub(" ", text).strip()


def normalize_prose(raw: str) -> str:
    """Free text in someone's own words: composed (NFC, so Chinese full-width punctuation stays as
    typed), invisible marks and control characters gone (PostgreSQL refuses NUL), single spaces."""
    text = _drop_controls(unicodedata.normalize("NFC", strip_invisible(raw)))
    return _SPACES.sub(" ", text).strip()


def _drop_controls(text: str) -> str:
    """Control characters but whitespace: a NUL, a bell, an escape (PostgreSQL refuses NUL in text)."""
    return "".join(c for c in text if c.isspace() or unicodedata.category(c) != "Cc")


_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")


def normalize_number(raw: str) -> str:
    """A number as typed, with "." as decimal point: 1,500 and 1 500 are grouped, 2,5 is 2.5."""
    text = _SPACES.sub("", ascii_digits(unicodedata.normalize("NFKC", strip_invisible(raw))))
    if _GROUPED.match(text):
        return text.replace(",", "")
    # Kyrgyz and Russian habit: a decimal comma
    return text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
