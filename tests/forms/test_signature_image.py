"""A drawn signature's PNG is bounded by its header before anything decodes it, wherever it arrives."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from datetime import UTC, datetime

import pytest
from PIL import Image
from pydantic import ValidationError

from forms.letter import SignatureEvidence, SignatureMethod
from forms.signature_image import MAX_BYTES, BadSignatureImage, check_drawing, checked_png, png_size
from tests.forms.drawings import black_page, drawing, png

HASH = hashlib.sha256(b"a letter").hexdigest()


def evidence(image: bytes | str) -> SignatureEvidence:
    return SignatureEvidence.model_validate(
        {
            "method": SignatureMethod.drawn,
            "signed_at": datetime(2026, 3, 1, 10, tzinfo=UTC),
            "typed_name": "张明华",
            "channel": "telegram",
            "channel_user": "100000001",
            "content_hash": HASH,
            "notice_hash": HASH,
            "image_png": image,
        }
    )


def test_a_bomb_is_small_on_disk() -> None:
    bomb = black_page(12000, 12000)
    assert len(bomb) < 40 * 1024  # far under the byte limit: only its header gives it away
    with pytest.warns(Image.DecompressionBombWarning):  # Pillow's own limit is far above a signature's
        assert Image.open(io.BytesIO(bomb)).size == (12000, 12000)


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        pytest.param(black_page(12000, 12000), "12000×12000", id="12000×12000 bomb"),
        pytest.param(black_page(2401, 100), "2401×100", id="too wide"),
        pytest.param(black_page(100, 1201), "100×1201", id="too high"),
        pytest.param(black_page(2400, 1200), "2400×1200", id="too many pixels"),
        pytest.param(black_page(4, 40), "4×40", id="too small"),
        pytest.param(png(Image.frombytes("RGBA", (420, 300), os.urandom(420 * 300 * 4))), "KB", id="too many bytes"),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a PNG", id="not a PNG"),
        pytest.param(drawing()[:200], "damaged", id="cut off"),
    ],
)
def test_evidence_refuses_a_drawing_no_canvas_of_ours_makes(image: bytes, reason: str) -> None:
    for form in (image, base64.b64encode(image).decode()):  # as bytes, and as the JSON's base64
        with pytest.raises(ValidationError, match=reason):
            evidence(form)


def test_evidence_takes_what_the_mini_app_sends() -> None:
    # the page trims the strokes and scales them to at most 1200×600; a wider, lower one fits too
    for width, height in ((1200, 600), (320, 120), (2400, 600), (8, 8)):
        assert evidence(drawing(width, height)).image_png is not None
    assert evidence(base64.b64encode(drawing()).decode()).image_png == drawing()


def test_the_size_is_read_from_the_header_before_decoding() -> None:
    # a header of a 12000×12000 picture followed by data no decoder could read: the size is what
    # refuses it, so nothing decoded it first
    bomb = black_page(12000, 12000)
    garbage = bomb[:33] + b"\x00\x00\x00\x04IDAT" + b"\xde\xad\xbe\xef" + b"\x00" * 4 + bomb[-12:]
    with pytest.raises(BadSignatureImage, match="12000×12000"):
        png_size(garbage)
    with pytest.raises(BadSignatureImage, match="12000×12000"):
        checked_png(garbage)


def test_a_header_that_lies_is_damaged() -> None:
    honest = drawing()
    forged = honest[:16] + (1000).to_bytes(4, "big") + honest[20:]  # another width, the old checksum
    with pytest.raises(BadSignatureImage, match="damaged"):
        png_size(forged)


def test_the_full_check_wants_ink() -> None:
    check_drawing(drawing())
    with pytest.raises(BadSignatureImage, match="nothing is drawn"):
        check_drawing(png(Image.new("RGBA", (320, 120), (0, 0, 0, 0))))
    with pytest.raises(BadSignatureImage, match="larger than"):
        check_drawing(b"\x89PNG\r\n\x1a\n" + bytes(MAX_BYTES))
