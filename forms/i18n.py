"""Translations from locales/ and one Jinja2 environment shared by letters and pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from forms.languages import Lang

ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = ROOT / "locales"
TEMPLATES_DIR = ROOT / "templates"
DOMAIN = "messages"

Gettext = Callable[[str], str]


class CataloguesNotCompiled(RuntimeError):
    """The .mo files are built by `make`; without them every text would silently be Chinese."""


@cache
def translations(lang: Lang) -> NullTranslations:
    """The compiled catalogue of one language (msgids are the Chinese texts)."""
    found = Translations.load(str(LOCALES_DIR), [lang.value], DOMAIN)
    if type(found) is NullTranslations and lang is not Lang.zh:
        raise CataloguesNotCompiled(f"no compiled catalogue for {lang.value} under {LOCALES_DIR}: run make")
    return found


def gettext_for(lang: Lang | str) -> Gettext:
    return translations(Lang(lang)).gettext


@cache
def environment() -> Environment:
    """The one Environment: autoescaped, strict about missing names, with the gettext extension.

    Nothing is installed globally: each render passes `_` for its own language, so a page and a
    letter in two languages can be rendered side by side.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ltr"] = left_to_right
    return env


def left_to_right(value: object) -> str:
    """Keep an ID, code, phone, number or date left to right inside right-to-left text.

    WeasyPrint ignores CSS unicode-bidi, and without isolation "+86 138-0000-0000" in a
    Uyghur sentence is shown as "0000-0000-138 86+". Pango honours Unicode's isolates.
    """
    return f"\u2066{value}\u2069"
