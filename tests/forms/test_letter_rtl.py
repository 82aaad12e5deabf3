"""Right-to-left letters as WeasyPrint lays them out: what the reader of the page gets."""

from __future__ import annotations

from typing import Any

import pytest

from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.render import letter_html
from forms.render.pdf import TEMPLATES_DIR, _stylesheet, _weasyprint
from forms.sample import sample_letter


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
