"""The department's countersignature, read back with pyHanko: two signatures, both intact, the
platform's first revision still verifiable on its own, the seal and the acceptance date drawn in
the department's block."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    load_pem_private_key,
    pkcs12,
)
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from forms.catalogue import Catalogue
from forms.countersign import (
    COUNTERSIGN_FIELD,
    SEAL_BOX_PT,
    BadSealImage,
    CountersignUnavailable,
    DepartmentSigners,
    check_seal_image,
    countersign,
    seal_box,
    textual_stamp,
)
from forms.languages import Lang
from forms.render import letter_pdf
from forms.sample import sample_letter
from forms.seal import SEAL_FIELD, Sealer, Verdict
from forms.settings import Settings
from tests.cli import chengnuo

ACCEPTED_ON = date(2026, 12, 7)  # a day no sample letter is signed on: its text is the countersignature's


@pytest.fixture(scope="module")
def sealer(settings: Settings) -> Sealer:
    return Sealer.from_settings(settings)


@pytest.fixture(scope="module")
def sealed(catalogue: Catalogue, settings: Settings, sealer: Sealer) -> tuple[str, bytes]:
    item = catalogue.items["SFJ-001"]
    letter = sample_letter(item, Lang.ug)  # with its translation: the seal goes in the Chinese letter's block
    pdf = letter_pdf(letter, item, verify_url=settings.verify_url(letter.number))
    return letter.number, sealer.seal(pdf, number=letter.number)


@pytest.fixture(scope="module")
def countersigned(sealed: tuple[str, bytes], sealer: Sealer, catalogue: Catalogue) -> bytes:
    number, pdf = sealed
    assert sealer.departments is not None
    stamp = textual_stamp(catalogue.departments["SFJ"].name.zh)
    return countersign(pdf, sealer.departments.signer("SFJ"), stamp_png=stamp, accepted_on=ACCEPTED_ON, number=number)


def test_a_countersigned_letter_has_two_intact_signatures_and_its_first_revision_verifies_alone(
    sealed: tuple[str, bytes], countersigned: bytes, sealer: Sealer
) -> None:
    number, pdf = sealed
    assert countersigned.startswith(pdf)  # an incremental revision: not a byte of the sealed letter changed
    reader = PdfFileReader(io.BytesIO(countersigned))
    signatures = reader.embedded_signatures
    assert [s.field_name for s in signatures] == [SEAL_FIELD, COUNTERSIGN_FIELD]

    assert sealer.departments is not None
    platform, department = asyncio.run(_statuses(countersigned, sealer))
    assert platform.intact and platform.valid and platform.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert department.intact and department.valid and department.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "SFJ" in department.signing_cert.subject.human_friendly
    assert department.signing_cert.sha256 != sealer.certificate.sha256  # the department's own certificate

    # the platform's revision, cut where its signature ends, is the letter as sealed, and verifies alone
    _, _, start, length = (int(v) for v in signatures[0].sig_object["/ByteRange"])
    first = countersigned[: start + length]
    assert first == pdf
    alone = sealer.verify(first)
    assert (alone.verdict, alone.revision, alone.countersignature) == (Verdict.intact, 1, None)

    check = sealer.verify(countersigned)
    assert (check.verdict, check.seal, check.revision, check.number) == (Verdict.intact, Verdict.intact, 2, number)
    assert check.countersignature is not None
    assert (check.countersignature.verdict, check.countersignature.department_code) == (Verdict.intact, "SFJ")


async def _statuses(pdf: bytes, sealer: Sealer) -> tuple[Any, Any]:
    assert sealer.departments is not None
    reader = PdfFileReader(io.BytesIO(pdf))
    seal, counter = reader.embedded_signatures
    platform = await async_validate_pdf_signature(seal, ValidationContext(trust_roots=[sealer.certificate]))
    cert: Any = sealer.departments.signer("SFJ").signing_cert
    department = await async_validate_pdf_signature(counter, ValidationContext(trust_roots=[cert]))
    return platform, department


def test_the_seal_and_the_acceptance_date_are_drawn_in_the_departments_block(
    countersigned: bytes, sealed: tuple[str, bytes], tmp_path: Path
) -> None:
    place = seal_box(PdfFileReader(io.BytesIO(sealed[1])))
    assert place is not None
    field = _widget(countersigned)
    assert field["page"] == place.page and [round(v) for v in field["rect"]] == list(place.box)
    path = tmp_path / "countersigned.pdf"
    path.write_bytes(countersigned)
    # the text inside the box: the acceptance date, and nowhere on the sealed letter before
    assert ACCEPTED_ON.isoformat() in _text_in(path, place.page, place.box)
    before = tmp_path / "sealed.pdf"
    before.write_bytes(sealed[1])
    assert ACCEPTED_ON.isoformat() not in _text_in(before, place.page, place.box)
    # the block's heading above it, and no signing date printed as the department's any more
    page_text = subprocess.run(
        ["pdftotext", "-f", str(place.page + 1), "-l", str(place.page + 1), str(before), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "行政机关：" in page_text and "日期：受理时随行政机关电子签章载明" in page_text


def _widget(pdf: bytes) -> dict[str, Any]:
    reader = PdfFileReader(io.BytesIO(pdf))
    for index in range(int(reader.root["/Pages"]["/Count"])):
        page, _ = reader.find_page_for_modification(index)  # type: ignore[no-untyped-call]
        for annot in page.get_object().get("/Annots", []):
            annot = annot.get_object()
            if str(annot.get("/T", "")) == COUNTERSIGN_FIELD:
                assert "/AP" in annot  # a visible appearance
                return {"page": index, "rect": [float(v) for v in annot["/Rect"]]}
    raise AssertionError("no countersignature widget")


def _text_in(path: Path, page: int, box: tuple[int, int, int, int]) -> str:
    """pdftotext of one rectangle (PDF points, origin bottom left) of one page."""
    height = 841.89  # A4
    x1, y1, x2, y2 = box
    args = ["-f", str(page + 1), "-l", str(page + 1), "-x", str(x1), "-y", str(round(height - y2)),
            "-W", str(x2 - x1), "-H", str(y2 - y1)]  # fmt: skip
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_change_after_countersigning_or_a_strangers_countersignature_is_told(
    countersigned: bytes, sealed: tuple[str, bytes], sealer: Sealer, tmp_path: Path
) -> None:
    altered = bytearray(countersigned)
    at = altered.rfind(ACCEPTED_ON.isoformat().encode())  # the date drawn in the seal's appearance
    altered[at + 9] = ord("8")  # the 7th becomes the 8th
    check = sealer.verify(bytes(altered))
    assert check.verdict is Verdict.altered
    assert check.countersignature is not None and check.countersignature.verdict is Verdict.altered

    stranger = DepartmentSigners(Settings(CHENGNUO_DATA_DIR=tmp_path))
    number, pdf = sealed
    foreign = countersign(pdf, stranger.signer("SFJ"), stamp_png=textual_stamp("x"), accepted_on=ACCEPTED_ON,
                          number=number)  # fmt: skip
    check = sealer.verify(foreign)
    assert check.seal is Verdict.intact and check.verdict is Verdict.not_ours
    assert check.countersignature is not None and check.countersignature.verdict is Verdict.not_ours


def test_a_configured_department_certificate_is_used_and_a_missing_one_refused(tmp_path: Path) -> None:
    made = DepartmentSigners(Settings(CHENGNUO_DATA_DIR=tmp_path / "dev")).dev_path("SFJ")
    DepartmentSigners(Settings(CHENGNUO_DATA_DIR=tmp_path / "dev")).signer("SFJ")
    data = made.read_bytes()
    key, cert = load_pem_private_key(data, None), x509.load_pem_x509_certificate(data)
    seals = tmp_path / "seals"
    seals.mkdir()
    (seals / "SFJ.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(b"SFJ", key, cert, None, BestAvailableEncryption(b"pw"))  # type: ignore[arg-type]
    )
    configured = Settings(
        CHENGNUO_DATA_DIR=tmp_path / "prod",
        CHENGNUO_DEPARTMENT_SEALS_DIR=seals,
        CHENGNUO_DEPARTMENT_SEALS_PASSWORD="pw",
    )
    signers = DepartmentSigners(configured)
    assert _cert(signers.signer("SFJ")).dump() == cert.public_bytes(Encoding.DER)
    assert signers.certificate("SFJ") is not None
    assert not (tmp_path / "prod" / "seal").exists()  # no development key where one is configured
    with pytest.raises(CountersignUnavailable, match="MZJ"):
        signers.signer("MZJ")
    assert signers.certificate("MZJ") is None
    wrong = Settings(CHENGNUO_DEPARTMENT_SEALS_DIR=seals, CHENGNUO_DEPARTMENT_SEALS_PASSWORD="nope")
    with pytest.raises(CountersignUnavailable, match="wrong password"):
        DepartmentSigners(wrong).signer("SFJ")


def test_two_instances_on_one_data_directory_make_one_development_key(tmp_path: Path) -> None:
    first = _cert(DepartmentSigners(Settings(CHENGNUO_DATA_DIR=tmp_path)).signer("SFJ"))
    second = _cert(DepartmentSigners(Settings(CHENGNUO_DATA_DIR=tmp_path)).signer("SFJ"))
    assert first.sha256 == second.sha256
    other = _cert(DepartmentSigners(Settings(CHENGNUO_DATA_DIR=tmp_path)).signer("MZJ"))
    assert other.sha256 != first.sha256  # one key per department


def _cert(signer: SimpleSigner) -> Any:
    assert signer.signing_cert is not None
    return signer.signing_cert


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")  # noise: no tiny file
    return out.getvalue()


def test_seal_images_are_checked() -> None:
    good = check_seal_image(_png(300, 300))
    assert (good.width, good.height) == (300, 300)
    for data, code in [
        (b"GIF89a" + bytes(100), "seal.not_png"),
        (_png(300, 300)[:200], "seal.not_png"),  # a PNG cut short
        (_png(50, 50), "seal.dimensions"),
        (_png(600, 200), "seal.shape"),
        (b"\x89PNG\r\n\x1a\n" + bytes(600 * 1024), "seal.too_large"),
    ]:
        with pytest.raises(BadSealImage) as refused:
            check_seal_image(data)
        assert refused.value.code == code


def test_the_cli_reports_both_signatures_and_the_revision(
    countersigned: bytes, tmp_path: Path, settings: Settings
) -> None:
    copy = tmp_path / "countersigned.pdf"
    copy.write_bytes(countersigned)
    verified = chengnuo("letter", "verify", str(copy), CHENGNUO_DATA_DIR=settings.data_dir)
    assert verified.returncode == 0, verified.stderr
    lines = verified.stdout.splitlines()
    assert lines[0].startswith("intact")
    assert any(line.startswith("platform seal\tintact") for line in lines)
    assert any(line.startswith("department countersignature\tintact") and "SFJ" in line for line in lines)
    assert "revision\t2 (countersigned by the department)" in lines


def test_the_box_is_the_size_the_stylesheet_draws() -> None:
    css = (Path(__file__).parents[2] / "templates" / "letters" / "letter.css").read_text(encoding="utf-8")
    assert ".department-seal { width: 42mm; height: 42mm; }" in css
    assert round(SEAL_BOX_PT, 1) == round(42 * 72 / 25.4, 1)
