"""HTML to PDF with WeasyPrint: one font configuration per process, HarfBuzz subsetting required."""

from __future__ import annotations

import gc
from functools import cache
from typing import Any

from forms.i18n import TEMPLATES_DIR
from forms.render.fonts import REDUCED_CJK_FAMILY, font_face_rule

APT_HINT = "apt-get install -y libharfbuzz-subset0"


class RenderingUnavailable(RuntimeError):
    """This machine cannot render letters at the speed people wait for."""


@cache
def _weasyprint() -> tuple[Any, Any]:
    """Import WeasyPrint once and build the shared FontConfiguration; check subsetting is there."""
    import weasyprint
    from weasyprint.text import ffi
    from weasyprint.text.fonts import FontConfiguration

    # Without libharfbuzz-subset WeasyPrint falls back to fontTools: a letter with a CJK font
    # then takes about 10 s instead of 0.15 s, which no window queue can bear.
    if ffi.harfbuzz_subset is None or not ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        raise RenderingUnavailable(f"HarfBuzz font subsetting is missing: run `{APT_HINT}` (or `make run`).")
    return weasyprint, FontConfiguration()


@cache
def _stylesheet(name: str) -> Any:
    """Parse a stylesheet once per process; the reduced Chinese face goes first when built."""
    weasyprint, fonts = _weasyprint()
    css = font_face_rule() + (TEMPLATES_DIR / name).read_text(encoding="utf-8")
    if not font_face_rule():
        css = css.replace(f'"{REDUCED_CJK_FAMILY}", ', "")
    return weasyprint.CSS(string=css, font_config=fonts, base_url=str(TEMPLATES_DIR))


def html_to_pdf(html: str, stylesheet: str = "letters/letter.css") -> bytes:
    """Lay out and write the PDF; relative URLs resolve against templates/."""
    weasyprint, fonts = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR))
    return bytes(document.write_pdf(stylesheets=[_stylesheet(stylesheet)], font_config=fonts))


def warm_up() -> None:
    """For a render worker at start: load fonts and styles, then freeze the heap.

    The first letter of a process pays ~0.7 s for fonts; afterwards gc.freeze() keeps the
    long-lived font and style objects out of full collections, which otherwise add 50-80 ms
    to one letter in twenty.
    """
    html_to_pdf('<html lang="zh-Hans"><body><p>承诺 ۋەدە милдеттенме</p></body></html>')
    gc.collect()
    gc.freeze()
