"""Reading our PDFs back: their text as poppler extracts it, and which characters have glyphs."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pypdf

_BFCHAR = re.compile(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")
MISSING_GLYPHS = {0x0000, 0xFFFF}  # .notdef, and the id Pango gives a character no font has


def pdf_text(pdf: bytes) -> str:
    """The text as pdftotext extracts it, which is what a clerk copying from the PDF gets."""
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def glyph_coverage(pdf: bytes) -> tuple[set[str], set[str], set[str]]:
    """(characters drawn with a real glyph, characters drawn with a missing glyph, embedded font names)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    covered: set[str] = set()
    missing: set[str] = set()
    fonts: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if embedded:
                fonts.add(str(font["/BaseFont"]))
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for glyph, code in _BFCHAR.findall(cmap.split("endcodespacerange", 1)[-1]):
                text = bytes.fromhex(code).decode("utf-16-be")
                target = missing if int(glyph, 16) in MISSING_GLYPHS or not embedded else covered
                target.update(text)
    return covered, missing, fonts


def save_pages_as_png(pdf: bytes, stem: Path, *, resolution: int = 60) -> list[Path]:
    """Turn each page into a PNG for a person to look at."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", "-", str(stem)], input=pdf, check=True)
    return sorted(stem.parent.glob(f"{stem.name}-*.png"))
