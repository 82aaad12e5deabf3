"""HTML to PDF with WeasyPrint: one font configuration per process, HarfBuzz subsetting required."""

from __future__ import annotations

from functools import cache
from typing import Any

from forms.i18n import TEMPLATES_DIR

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


def html_to_pdf(html: str) -> bytes:
    """Lay out and write the PDF; relative URLs resolve against templates/."""
    weasyprint, fonts = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR))
    return bytes(document.write_pdf(font_config=fonts, uncompressed_pdf=False, pdf_variant=None))


def check_rendering() -> None:
    """Raise RenderingUnavailable now rather than on the first letter."""
    _weasyprint()
