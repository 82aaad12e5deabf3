"""The department's countersignature: its own certificate, its seal drawn in its signature block.

When a window accepts a letter, the department signs the platform-sealed PDF a second time, as an
incremental revision (pyHanko): the platform's seal stays byte for byte what it was and verifies
on its own; the countersignature covers the whole file. Its visible appearance is drawn into the
box the letter template reserves in the department's block (`id="department-seal"`, which
WeasyPrint writes as a named destination: the box is found without rendering the letter again).
"""

from __future__ import annotations

import io
import logging
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from forms.seal import COUNTERSIGN_FIELD, _development_signer, department_of
from forms.settings import Settings
from forms.signature_image import PNG_END, PNG_MAGIC

SEAL_BOX_ID = "department-seal"  # the template's box (templates/letters/_signatures.html)
SEAL_BOX_PT = 42 * 72 / 25.4  # 42 mm square, as letter.css draws the box
DEV_DEPARTMENT_DIR = "seal/departments"  # beside the platform's development seal
log = logging.getLogger(__name__)
SAFE_CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
STAMP_RED = (200, 16, 28, 255)


class CountersignUnavailable(RuntimeError):
    """The department cannot countersign: its certificate is not configured or not readable, or
    the PDF has no place for its seal. One line for the operator."""


class DepartmentSigners:
    """Each department's signing key and certificate, loaded once per process.

    Configured: `<dir>/<CODE>.p12` with CHENGNUO_DEPARTMENT_SEALS_PASSWORD (or the password in
    `<dir>/<CODE>.p12.password`). Unset: a development key per department under the data directory,
    made on first use, as the platform's development seal is.
    """

    def __init__(self, settings: Settings) -> None:
        self.directory = settings.department_seals_dir
        self.password = settings.department_seals_password
        self.dev_dir = settings.data_dir / DEV_DEPARTMENT_DIR
        self._signers: dict[str, signers.SimpleSigner] = {}

    def signer(self, code: str) -> signers.SimpleSigner:
        """The department's signer; CountersignUnavailable when it has no usable certificate."""
        found = self._signers.get(code)
        if found is None:
            found = self._signers[code] = self._load(code)
        return found

    def certificate(self, code: str) -> asn1_x509.Certificate | None:
        """The certificate a countersignature of this department must carry, if it has one yet."""
        if code in self._signers:
            return self._signers[code].signing_cert
        if not SAFE_CODE.match(code) or (self.directory is None and not self.dev_path(code).exists()):
            return None  # no development key was ever made: nothing was countersigned with it
        try:
            return self.signer(code).signing_cert
        except CountersignUnavailable:
            return None

    def unusable(self, codes: Iterable[str]) -> list[str]:
        """Why each of these departments could not countersign now, when their certificates are
        configured (a development key is made when it is first needed, so nothing is checked then)."""
        if self.directory is None:
            return []
        problems = []
        for code in sorted(set(codes)):
            try:
                self.signer(code)
            except CountersignUnavailable as error:
                problems.append(str(error))
        return problems

    def dev_path(self, code: str) -> Path:
        return self.dev_dir / f"{code}.pem"

    def source(self, code: str) -> str:
        """Where the department's certificate comes from, for the operator."""
        if self.directory is not None:
            return f"CHENGNUO_DEPARTMENT_SEALS_DIR {self.directory / f'{code}.p12'}"
        return f"{self.dev_path(code)}, made because CHENGNUO_DEPARTMENT_SEALS_DIR is unset"

    def _load(self, code: str) -> signers.SimpleSigner:
        if not SAFE_CODE.match(code):
            raise CountersignUnavailable(f"{code!r} is not a department code")
        if self.directory is None:
            return _development_signer(self.dev_path(code), f"{code} development countersignature (not for production)")
        path = self.directory / f"{code}.p12"
        if not path.is_file():
            raise CountersignUnavailable(f"no certificate for department {code}: expected {path}")
        password = self._password(path)
        try:
            signer: signers.SimpleSigner | None = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)  # type: ignore[no-untyped-call]
        except Exception:  # pyHanko logs the cause; the operator gets the file's name
            signer = None
        if signer is None:
            raise CountersignUnavailable(f"cannot read the certificate of department {code} ({path}): wrong password?")
        return signer

    def _password(self, path: Path) -> bytes | None:
        own = path.with_name(path.name + ".password")
        if own.is_file():
            return own.read_text(encoding="utf-8").strip().encode()
        return self.password.get_secret_value().encode() if self.password else None


@dataclass(frozen=True)
class SealBox:
    """Where the department's seal goes: a page (0-based) and a rectangle in PDF points."""

    page: int
    box: tuple[int, int, int, int]


def seal_box(reader: PdfFileReader) -> SealBox | None:
    """The box the template reserved, from its named destination; None in a letter sealed before
    letters reserved one (its countersignature is then invisible, and still verifies)."""
    try:
        names = reader.root["/Names"]["/Dests"]
        dest = _find_name(names, SEAL_BOX_ID)
    except (KeyError, TypeError):
        dest = None
    if dest is None:
        return None
    if isinstance(dest, DictionaryObject):
        dest = dest["/D"]
    page_ref, left, top = dest.raw_get(0), float(dest[2]), float(dest[3])  # the page's reference, not the page
    page = _page_index(reader, page_ref)
    size = SEAL_BOX_PT
    return SealBox(page, (round(left), round(top - size), round(left + size), round(top)))


def _find_name(node: DictionaryObject, name: str) -> ArrayObject | DictionaryObject | None:
    """Look a name up in a PDF name tree."""
    if "/Names" in node:
        pairs = node["/Names"]
        for index in range(0, len(pairs) - 1, 2):
            if str(pairs[index]) == name:
                return pairs[index + 1]  # type: ignore[no-any-return]
    for kid in node.get("/Kids", []):
        found = _find_name(kid.get_object(), name)
        if found is not None:
            return found
    return None


def _page_index(reader: PdfFileReader, page_ref: object) -> int:
    wanted = getattr(page_ref, "idnum", None)
    count = int(reader.root["/Pages"]["/Count"])
    for index in range(count):
        ref, _ = reader.find_page_for_modification(index)  # type: ignore[no-untyped-call]
        if ref.idnum == wanted:
            return index
    raise CountersignUnavailable("the department's seal box points to no page")


def countersign(pdf: bytes, signer: signers.SimpleSigner, *, stamp_png: bytes, accepted_on: date, number: str) -> bytes:
    """Add the department's PAdES signature as an incremental revision, its seal and the acceptance
    date drawn in the department's block. The bytes before are kept as they are."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    place = seal_box(writer.prev)
    if place is None:
        log.warning("letter %s has no box for the department's seal: countersigned without one", number)
    meta = signers.PdfSignatureMetadata(
        field_name=COUNTERSIGN_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=f"chengnuo letter {number} accepted",
    )
    if place is None:
        pdf_signer = signers.PdfSigner(meta, signer=signer, new_field_spec=fields.SigFieldSpec(COUNTERSIGN_FIELD))
    else:
        spec = fields.SigFieldSpec(COUNTERSIGN_FIELD, on_page=place.page, box=place.box)
        style = _stamp_style(Image.open(io.BytesIO(stamp_png)))
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    out = pdf_signer.sign_pdf(writer, appearance_text_params={"accepted": accepted_on.isoformat()}, output=io.BytesIO())
    return bytes(out.getvalue())


def _stamp_style(image: Image.Image) -> TextStampStyle:
    """The seal above, the acceptance date as text below (digits: the built-in font has them)."""
    return TextStampStyle(
        stamp_text="%(accepted)s",
        border_width=0,
        background=PdfImage(image.convert("RGBA")),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins(bottom=16),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )


def textual_stamp(name: str) -> bytes:
    """A plain round stamp with the department's name, for a department whose seal image is not
    uploaded yet: a countersignature never goes without a visible mark."""
    size = 480
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, size - 12, size - 12), outline=STAMP_RED, width=16)
    lines = textwrap.wrap(name, width=6) or [name]
    font = _font(min(64, int(360 / max(len(line) for line in lines))))
    height = len(lines) * font.size * 1.25
    y = (size - height) / 2
    for line in lines:
        draw.text((size / 2, y + font.size * 0.6), line, font=font, fill=STAMP_RED, anchor="mm")
        y += font.size * 1.25
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@cache
def _font_file() -> tuple[str, int]:
    from forms.render.fonts import REDUCED_CJK_FONT, source_font

    if REDUCED_CJK_FONT.exists():
        return str(REDUCED_CJK_FONT), 0
    return source_font()


def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = _font_file()
    return ImageFont.truetype(path, size, index=index)


@dataclass(frozen=True)
class SealImage:
    """An uploaded seal image, checked: a real PNG of a sensible size."""

    png: bytes
    width: int
    height: int


MAX_SEAL_BYTES = 512 * 1024
MIN_SEAL_SIDE, MAX_SEAL_SIDE = 100, 2000


class BadSealImage(ValueError):
    """Why an upload is no usable seal image: `code` for the API (the pages word it), the limits."""

    def __init__(self, code: str, message: str, **limits: int) -> None:
        super().__init__(message)
        self.code, self.limits = code, limits


def check_seal_image(data: bytes) -> SealImage:
    """A PNG, at most 512 kB, each side 100 to 2000 pixels, nearly square (a seal is round or square)."""
    if len(data) > MAX_SEAL_BYTES:
        raise BadSealImage("seal.too_large", f"at most {MAX_SEAL_BYTES // 1024} kB", limit=MAX_SEAL_BYTES // 1024)
    # a cut-off file ends without IEND: Pillow would decode what is there once WeasyPrint has
    # switched on its process-wide LOAD_TRUNCATED_IMAGES
    if not data.startswith(PNG_MAGIC) or not data.endswith(PNG_END):
        raise BadSealImage("seal.not_png", "the seal image must be a whole PNG file")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise BadSealImage("seal.not_png", "the seal image must be a PNG file")
            width, height = image.size
            if not (MIN_SEAL_SIDE <= width <= MAX_SEAL_SIDE and MIN_SEAL_SIDE <= height <= MAX_SEAL_SIDE):
                message = f"each side {MIN_SEAL_SIDE} to {MAX_SEAL_SIDE} pixels, not {width}x{height}"
                raise BadSealImage("seal.dimensions", message, low=MIN_SEAL_SIDE, high=MAX_SEAL_SIDE)
            if max(width, height) > 2 * min(width, height):
                raise BadSealImage("seal.shape", f"a seal is about square, not {width}x{height}")
            image.load()  # a truncated or damaged file fails here, not when a letter is accepted
    except BadSealImage:
        raise
    except Exception:  # Pillow's many errors on a damaged file: it is no usable PNG
        raise BadSealImage("seal.not_png", "the file is not a readable PNG") from None
    return SealImage(data, width, height)


__all__ = [
    "COUNTERSIGN_FIELD",
    "BadSealImage",
    "CountersignUnavailable",
    "DepartmentSigners",
    "SealImage",
    "check_seal_image",
    "countersign",
    "department_of",
    "textual_stamp",
]
