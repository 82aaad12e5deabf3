"""Right-to-left letters as WeasyPrint lays them out: what the reader of the page gets."""

from __future__ import annotations

import re
from typing import Any

import pytest

from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.render import letter_html, letter_pdf
from forms.render.pdf import TEMPLATES_DIR, _stylesheet, _weasyprint
from forms.sample import sample_letter
from forms.settings import Settings
from tests.forms.pdf_reading import pdf_text


def _boxes(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


@pytest.mark.parametrize("lang", [Lang.ug, Lang.ky_Arab])
def test_right_to_left_titles_are_not_spaced_apart(catalogue: Catalogue, lang: Lang) -> None:
    # letter-spacing inserts space between the glyphs of a word: Arabic script loses its joining
    item = next(iter(catalogue.items.values()))
    html = letter_html(sample_letter(item, lang), item, verify_url=None)
    weasyprint, fonts = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR)).render(
        stylesheets=[_stylesheet("letters/letter.css")], font_config=fonts
    )
    titles = [
        box
        for page in document.pages
        for box in _boxes(page._page_box)
        if box.element_tag == "h1" and type(box).__name__ == "BlockBox"
    ]
    spacing = {box.style["direction"]: box.style["letter_spacing"] for box in titles}
    assert set(spacing) == {"ltr", "rtl"}, spacing  # the Chinese title and the translated one
    assert spacing["rtl"] == "normal", spacing
    assert spacing["ltr"] != "normal"  # Chinese keeps its airy title


def _translation(html: str) -> str:
    """The translated letter's own text, between its section and the evidence page."""
    start, end = html.index('<section class="translation"'), html.index('<section class="audit"')
    return re.sub(r"<[^>]+>", "", html[start:end])


@pytest.mark.parametrize("lang", [Lang.ug, Lang.ky, Lang.ky_Arab])
def test_no_chinese_punctuation_inside_a_translation(catalogue: Catalogue, lang: Lang) -> None:
    # a Chinese full stop or bracket put by the template between two translated texts
    for item in catalogue.items.values():
        text = _translation(letter_html(sample_letter(item, lang), item, verify_url=None))
        found = [text[max(0, m.start() - 20) : m.end() + 5] for m in re.finditer("[。（），：；、]", text)]
        assert not found, (item.code, found[:3])


@pytest.mark.parametrize("lang", [Lang.ug, Lang.ky_Arab])
def test_dates_inside_right_to_left_sentences_keep_their_order(
    catalogue: Catalogue, settings: Settings, lang: Lang
) -> None:
    item = catalogue.items["SCJG-001"]  # 容缺: a promised date too
    letter = sample_letter(item, lang)
    text = pdf_text(letter_pdf(letter, item, verify_url="https://chengnuo.example.cn/v"))
    assert letter.supplement is not None
    for day in (letter.valid_until, letter.supplement.due_on):
        assert day.isoformat() in text
    assert not re.search(r"\b\d{2}-\d{2}-\d{4}\b", text), "a date read backwards (06-12-2027)"


def test_the_evidence_page_names_the_item_and_the_method_in_the_readers_language(catalogue: Catalogue) -> None:
    item = catalogue.items["SFJ-001"]
    html = letter_html(sample_letter(item, Lang.ug), item, verify_url=None)
    evidence = html[html.index('<section class="audit"') :]
    assert item.name(Lang.ug) in evidence and item.name(Lang.zh) in evidence
    assert "ئۇيغۇرچە" in evidence  # the reading language, named in Uyghur too


@pytest.mark.parametrize("code", ["NYJ-001", "SFJ-001"])
def test_the_evidence_shares_the_last_page_when_it_fits_rather_than_leaving_it_nearly_empty(
    catalogue: Catalogue, settings: Settings, code: str
) -> None:
    item = catalogue.items[code]
    pdf = letter_pdf(sample_letter(item, Lang.zh), item, verify_url="https://chengnuo.example.cn/v")
    pages = pdf_text(pdf).split("\f")
    last = next(p for p in reversed(pages) if p.strip())
    assert "签名证据" in last and "日期：" in last, "the signatures and the evidence on one page"
