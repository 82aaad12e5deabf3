"""Maintainers' tools: keep the gettext catalogues and the catalogue's ky_Arab texts in step."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from forms.i18n import DOMAIN, LOCALES_DIR, ROOT
from forms.kyrgyz_arabic import to_arabic
from forms.languages import LANGS, Lang

TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
# _() and N_() mark texts; label() and paragraphs() are the macros that print one in two languages.
KEYWORDS = ["-k", "N_", "-k", "label", "-k", "paragraphs"]
EXTRACT = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", *KEYWORDS,
           "--no-location", "--sort-output", "--omit-header"]  # fmt: skip


def po_path(lang: Lang) -> Path:
    return LOCALES_DIR / lang.value / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=0, no_location=True, omit_header=False, sort_output=True)


def sync_locales() -> None:
    """Extract the texts, merge them into every language, Chinese as itself, ky_Arab from ky."""
    subprocess.run([*EXTRACT, "-o", str(TEMPLATE), "."], check=True, cwd=ROOT, capture_output=True)
    for lang in LANGS:
        path = po_path(lang)
        catalog = read_catalog(path, lang.value) if path.exists() else _new_catalog(lang)
        # read afresh for each language: update() adopts the template's message objects
        catalog.update(read_catalog(TEMPLATE), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if lang is Lang.zh:  # msgids are the authoritative Chinese texts
            for message in catalog:
                if message.id:
                    message.string = message.id
        write_catalog(catalog, path)
    transliterate_locale()


def _new_catalog(lang: Lang) -> Catalog:
    return Catalog(locale=lang.value, domain=DOMAIN, project="chengnuo", version="0.1", fuzzy=False)


def transliterate_locale() -> None:
    """ky_Arab's catalogue is the ky one written in the Arabic-based alphabet."""
    kyrgyz = read_catalog(po_path(Lang.ky), "ky")
    target = read_catalog(po_path(Lang.ky_Arab), "ky_Arab")
    for message in target:
        if message.id:
            source = kyrgyz.get(message.id)
            message.string = to_arabic(str(source.string)) if source is not None and source.string else ""
            message.flags.discard("fuzzy")
    write_catalog(target, po_path(Lang.ky_Arab))


def transliterate_catalogue(directory: Path) -> list[Path]:
    """Write ky_Arab beside every ky text of the catalogue's YAML files, keeping their layout."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    changed = []
    for path in sorted([directory / "departments.yaml", *(directory / "items").glob("*.yaml")]):
        data = yaml.load(path.read_text(encoding="utf-8"))
        if _fill(data):
            with path.open("w", encoding="utf-8") as out:
                yaml.dump(data, out)
            changed.append(path)
    return changed


def _fill(node: Any) -> bool:
    changed = False
    if isinstance(node, CommentedMap):
        if isinstance(node.get("zh"), str) and isinstance(node.get("ky"), str):
            arabic = to_arabic(node["ky"])
            if node.get("ky_Arab") != arabic:
                if "ky_Arab" in node:
                    node["ky_Arab"] = arabic
                else:
                    node.insert(list(node).index("ky") + 1, "ky_Arab", arabic)
                changed = True
        for value in node.values():
            changed |= _fill(value)
    elif isinstance(node, CommentedSeq):
        for value in node:
            changed |= _fill(value)
    return changed
