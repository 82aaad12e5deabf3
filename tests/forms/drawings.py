"""PNG drawings for tests: an honest stroke, and hand-made files no honest canvas sends."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def drawing(width: int = 320, height: int = 120) -> bytes:
    """A stroke of black ink on a transparent background, as the Mini App's canvas exports it."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, height - 20), (width // 3, 15), (width - 10, height // 2)], fill="black", width=4)
    return png(image)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def black_page(width: int, height: int) -> bytes:
    """A 1-bit black picture of any size, written row by row: 12000×12000 is about 17 KB of file
    and 144 million pixels for whoever decodes it (a decompression bomb)."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte, then all-zero (black) pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
