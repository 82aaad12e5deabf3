"""A drawn signature's PNG: bounded by its header before any pixel is decoded, then checked for ink.

The Mini App page trims the strokes and scales them down to at most 1200×600 pixels (its canvas is
at most 688×275 CSS pixels, ×3 on the densest phones, before scaling). The bounds leave twice that
in each direction for another honest client, and at most twice the page's area in pixels, so a
decoded drawing never takes more than about 6 MB (RGBA) nor more than a few milliseconds to read.
A PNG can claim any size in a few kilobytes of zlib (12000×12000 is 17 KB): the size is read from
the header, checksum and all, and refused before Pillow, or a render worker, decodes anything.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib

from PIL import Image

MAX_BYTES = 300 * 1024
MIN_SIDE, MAX_WIDTH, MAX_HEIGHT = 8, 2400, 1200
MAX_PIXELS = 2 * 1200 * 600
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the last chunk of every complete PNG: no data, its CRC
INK = 160  # a pixel darker than this over white paper is ink; anti-aliased edges are lighter


class BadSignatureImage(ValueError):
    """Not a PNG, too large, of silly dimensions, or without any ink."""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header, refused when the file or the picture is too large."""
    if len(data) > MAX_BYTES:
        raise BadSignatureImage(f"larger than {MAX_BYTES // 1024} KB")
    if not data.startswith(PNG_MAGIC):
        raise BadSignatureImage("not a PNG")
    # the first chunk is IHDR: 13 bytes of data after its length and type, then their CRC
    header = data[8:33]
    if len(header) < 25 or header[:8] != b"\x00\x00\x00\x0dIHDR":
        raise BadSignatureImage("a damaged PNG")
    if zlib.crc32(header[4:21]) != struct.unpack(">I", header[21:25])[0]:
        raise BadSignatureImage("a damaged PNG")
    # a cut-off file: Pillow would decode what is there when another library (WeasyPrint) has
    # switched on its process-wide LOAD_TRUNCATED_IMAGES
    if not data.endswith(PNG_END):
        raise BadSignatureImage("a damaged PNG")
    width, height = struct.unpack(">II", header[8:16])
    fits = MIN_SIDE <= width <= MAX_WIDTH and MIN_SIDE <= height <= MAX_HEIGHT and width * height <= MAX_PIXELS
    if not fits:
        raise BadSignatureImage(
            f"{width}×{height} pixels: a signature is {MIN_SIDE} to {MAX_WIDTH} wide, "
            f"{MIN_SIDE} to {MAX_HEIGHT} high and at most {MAX_PIXELS} pixels"
        )
    return width, height


def _decoded(data: bytes) -> Image.Image:
    """The drawing over white paper, decoded only once its header has passed png_size."""
    size = png_size(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            if image.size != size:  # Pillow read another header than ours: trust neither
                raise BadSignatureImage("a damaged PNG")
            image.load()
    except BadSignatureImage:
        raise
    except Exception:  # Pillow reports a damaged file as OSError, SyntaxError, ValueError…
        raise BadSignatureImage("a damaged PNG") from None
    return image.convert("RGBA")


def _inked(drawing: Image.Image) -> Image.Image:
    paper = Image.new("RGBA", drawing.size, "white")
    # one band ("L"), so the histogram has 256 counts: is any of them darker than INK?
    histogram = Image.alpha_composite(paper, drawing).convert("L").histogram()
    if not any(histogram[:INK]):
        raise BadSignatureImage("nothing is drawn")
    return drawing


def check_drawing(data: bytes) -> None:
    """Refuse a drawing that is too large, damaged or blank; keep it as it is."""
    _inked(_decoded(data))


def checked_png(data: bytes) -> bytes:
    """The drawing as a fresh grey-and-alpha PNG: nothing of the upload but its pixels is kept."""
    out = io.BytesIO()
    _inked(_decoded(data)).convert("LA").save(out, format="PNG", optimize=True)
    return out.getvalue()
