"""PDFs an outsider can make by hand: no seal, a number of their choosing, or built to hurt a reader."""

from __future__ import annotations

import io

from pypdf import PdfWriter


def unsigned_naming(number: str) -> bytes:
    """A blank page whose metadata names a letter, as ours do; no seal at all."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Keywords": f"chengnuo-letter-number:{number}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def deeply_nested(number: str, depth: int = 5000) -> bytes:
    """A well-formed file (xref and all) whose catalogue and metadata hold arrays nested `depth` deep."""
    nested = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields " + nested + b" >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /Keywords (chengnuo-letter-number:" + number.encode() + b") /Nested " + nested + b" >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
