"""A drawn signature's image: a real, small PNG with ink on it, re-encoded before it is kept."""

from __future__ import annotations

import io
import warnings

from PIL import Image

MAX_BYTES = 300 * 1024
MIN_SIDE, MAX_WIDTH, MAX_HEIGHT = 8, 2400, 1200
PNG_END = b"IEND\xaeB`\x82"  # the last chunk of every complete PNG, with its CRC
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
INK = 160  # a pixel darker than this over white paper is ink; anti-aliased edges are lighter


class BadSignatureImage(ValueError):
    """Not a PNG, too large, of silly dimensions, or without any ink."""


def checked_png(data: bytes) -> bytes:
    """The drawing as a fresh grey-and-alpha PNG: nothing of the upload but its pixels is kept."""
    if len(data) > MAX_BYTES:
        raise BadSignatureImage(f"larger than {MAX_BYTES // 1024} KB")
    if not data.startswith(PNG_MAGIC):
        raise BadSignatureImage("not a PNG")
    # a cut-off file: Pillow would decode what is there when another library (WeasyPrint) has
    # switched on its process-wide LOAD_TRUNCATED_IMAGES
    if not data.endswith(PNG_END):
        raise BadSignatureImage("a damaged PNG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            # the header's size is checked before any pixel is decoded
            if not (MIN_SIDE <= image.width <= MAX_WIDTH and MIN_SIDE <= image.height <= MAX_HEIGHT):
                raise BadSignatureImage(f"{image.width}×{image.height} pixels is not a signature's size")
            image.load()
    except BadSignatureImage:
        raise
    except Exception:  # Pillow reports a damaged file as OSError, SyntaxError, ValueError…
        raise BadSignatureImage("a damaged PNG") from None
    drawing = image.convert("RGBA")
    paper = Image.new("RGBA", drawing.size, "white")
    # one band ("L"), so the histogram has 256 counts: is any of them darker than INK?
    histogram = Image.alpha_composite(paper, drawing).convert("L").histogram()
    if not any(histogram[:INK]):
        raise BadSignatureImage("nothing is drawn")
    out = io.BytesIO()
    drawing.convert("LA").save(out, format="PNG", optimize=True)
    return out.getvalue()
