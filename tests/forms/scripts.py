"""What counts as 'written in Arabic script' for a translation of a Chinese text."""

from __future__ import annotations

from forms.kyrgyz_arabic import is_arabic_script


def arabic_script_apart_from_quoted(translation: str, chinese: str) -> bool:
    """Arabic script, except characters kept as they stand in the Chinese: the X of an ID, the
    I O S V Z a credit code never uses, a cited document number such as 国办发〔2020〕42号."""
    quoted = {c for c in chinese if not c.isspace()}
    return is_arabic_script("".join(c for c in translation if c not in quoted))
