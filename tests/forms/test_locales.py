"""Every text in every language, with the same placeholders; ky_Arab follows ky letter by letter."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from chengnuo.devtools import EXTRACT
from forms.i18n import LOCALES_DIR, ROOT, gettext_for
from forms.kyrgyz_arabic import to_arabic
from forms.languages import LANGS, Lang
from forms.validation.reasons import MESSAGES, Reason
from tests.forms.scripts import arabic_script_apart_from_quoted

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def catalog(lang: Lang):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / lang.value / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f)


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_with_the_same_placeholders(lang: Lang) -> None:
    untranslated, mismatched = [], []
    for message in catalog(lang):
        if not message.id:
            continue
        if not message.string.strip() or message.fuzzy:
            untranslated.append(message.id)
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
            mismatched.append(message.id)
    assert untranslated == [], f"{lang.value}: untranslated {untranslated[:5]}"
    assert mismatched == [], f"{lang.value}: placeholders differ in {mismatched[:5]}"


def test_every_extracted_text_is_in_the_catalogues(tmp_path: Path) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run([*EXTRACT, "-o", str(template), "."], cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    known = {m.id for m in catalog(Lang.ug) if m.id}
    assert extracted - known == set(), "run `chengnuo locales sync` and translate the new texts"


def test_arabic_script_kyrgyz_is_the_cyrillic_transliterated() -> None:
    kyrgyz = {m.id: m.string for m in catalog(Lang.ky) if m.id}
    for message in catalog(Lang.ky_Arab):
        if message.id:
            assert message.string == to_arabic(kyrgyz[message.id]), message.id
            assert arabic_script_apart_from_quoted(message.string, message.id), message.id


def test_uyghur_is_written_in_arabic_script() -> None:
    for message in catalog(Lang.ug):
        if message.id:
            assert arabic_script_apart_from_quoted(message.string, message.id), message.id


@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_has_a_message_that_formats(lang: Lang) -> None:
    _ = gettext_for(lang)
    params = {
        "length": 17,
        "minimum": 2,
        "maximum": 40,
        "latest": "2026-12-18",
        "example": "2026-12-20",
        "unit": "亩",
        "parts": "甲、乙",
        "total": "丙",
        "day": "2026-12-19",
    }
    assert set(MESSAGES) == set(Reason)
    for reason, message in MESSAGES.items():
        text = _(message).format(**params)
        assert text.strip(), reason
        if lang is not Lang.zh:
            assert text != message, f"{reason} is not translated into {lang.value}"
