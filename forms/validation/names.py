"""Names of people (Chinese, Uyghur, Kyrgyz, Latin; with the middle dot) and of organisations."""

from __future__ import annotations

import re
import unicodedata

from forms.validation.normalize import normalize_text
from forms.validation.reasons import Invalid, Reason

MIDDLE_DOT = "\u00b7"
PERSON_NAME_LENGTH = (2, 40)
ORGANISATION_NAME_LENGTH = (2, 100)


def script_of(char: str) -> str | None:
    """The script family of a letter, or None for anything that is not a letter we accept."""
    code = ord(char)
    if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F:
        return "han"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F:
        # letters and their marks only: Arabic digits and punctuation share the block
        return "arabic" if unicodedata.category(char) in ("Lo", "Mn", "Lm") else None
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic" if char.isalpha() else None
    if (char.isascii() and char.isalpha()) or (0x00C0 <= code <= 0x024F and char.isalpha()):
        return "latin"
    return None


# People with no middle dot on their keyboard type a full stop: 买买提.艾力 is 买买提·艾力. Only
# between Chinese, Uyghur or Kyrgyz letters; a Latin "J. Smith" keeps its stop (and is refused).
_STOP_AS_DOT = re.compile(r"(?<=[^\W\d_a-zA-Z])\s*[.\uff0e\u3002]\s*(?=[^\W\d_a-zA-Z])")


def person_name(raw: str) -> str:
    """A person's name as on their ID, in one script; spaces and · separate its parts."""
    name = _STOP_AS_DOT.sub(MIDDLE_DOT, normalize_text(raw))
    if not name:
        raise Invalid(Reason.required)
    low, high = PERSON_NAME_LENGTH
    if not low <= len(name.replace(" ", "")) <= high:
        raise Invalid(Reason.name_length, minimum=low, maximum=high)
    scripts = set()
    for part in name.replace(MIDDLE_DOT, " ").split(" "):
        if not part:  # two separators in a row, or one at the start or end
            raise Invalid(Reason.name_chars)
        for index, char in enumerate(part):
            script = script_of(char)
            # Latin and Cyrillic names may join parts with a hyphen or an apostrophe (O'Neil)
            if script is None and char in "-'" and 0 < index < len(part) - 1:
                continue
            if script is None:
                raise Invalid(Reason.name_chars)
            scripts.add(script)
    if len(scripts) > 1:
        raise Invalid(Reason.name_mixed)
    return name


_ORGANISATION_SIGNS = set("()（）·-&., 、'")


def organisation_name(raw: str) -> str:
    """The registered name of a company or organisation; digits and brackets are allowed."""
    name = normalize_text(raw)
    if not name:
        raise Invalid(Reason.required)
    low, high = ORGANISATION_NAME_LENGTH
    if not low <= len(name) <= high:
        raise Invalid(Reason.name_length, minimum=low, maximum=high)
    if not all(script_of(c) or (c.isdigit() and c.isascii()) or c in _ORGANISATION_SIGNS for c in name):
        raise Invalid(Reason.org_name_chars)
    return name
