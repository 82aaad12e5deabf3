"""The QR code of a letter's verify address, as a PNG data URI for the page header."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import segno


@lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """PNG rather than SVG: WeasyPrint embeds one image for all pages but redraws an SVG on each."""
    # Level M survives a crease or a stamp over a corner of a printed letter.
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=4, border=0)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
