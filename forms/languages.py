"""The languages we ship, and the text type every person-facing catalogue string uses."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Lang(StrEnum):
    """A language an applicant may read. Chinese is authoritative."""

    zh = "zh"
    ug = "ug"  # Uyghur, Arabic script, right to left
    ky = "ky"  # Kyrgyz, Cyrillic
    ky_Arab = "ky_Arab"  # Kyrgyz in the Arabic script used in Kizilsu, right to left

    @property
    def rtl(self) -> bool:
        return self in (Lang.ug, Lang.ky_Arab)

    @property
    def html_lang(self) -> str:
        """BCP 47 tag for the lang attribute (fonts and hyphenation follow it)."""
        return {"zh": "zh-Hans", "ug": "ug", "ky": "ky", "ky_Arab": "ky-Arab"}[self.value]


LANGS: tuple[Lang, ...] = tuple(Lang)

_Filled = Field(min_length=1, pattern=r"\S")


class I18nText(BaseModel):
    """One text in every language; none may be missing or blank."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = _Filled
    ug: str = _Filled
    ky: str = _Filled
    ky_Arab: str = _Filled

    def __call__(self, lang: Lang | str) -> str:
        return str(getattr(self, Lang(lang).value))
