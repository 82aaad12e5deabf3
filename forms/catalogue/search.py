"""Finding an item by words of its name, in any of our languages."""

from __future__ import annotations

import unicodedata

from forms.catalogue.loader import Catalogue
from forms.catalogue.models import Item
from forms.languages import LANGS


def _folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def find_items(catalogue: Catalogue, typed: str) -> list[Item]:
    """Items whose name, code or keywords hold every word typed (spaces and case ignored)."""
    words = [_folded(w) for w in typed.split() if _folded(w)]
    if not words:
        return []
    found = []
    for item in catalogue.items.values():
        haystack = _folded(" ".join([item.code, *(item.name(lang) for lang in LANGS), *item.keywords]))
        if all(word in haystack for word in words):
            found.append(item)
    return found
