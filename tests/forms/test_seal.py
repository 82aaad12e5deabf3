"""The platform seal: intact letters verify, any change or a foreign key does not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.render import RenderingUnavailable, letter_pdf
from forms.render import pdf as pdf_module
from forms.sample import sample_letter
from forms.seal import DEV_SEAL_FILE, Sealer, Verdict
from forms.settings import Settings
from tests.cli import chengnuo
from tests.forms.hostile_pdfs import deeply_nested


@pytest.fixture(scope="module")
def sealer(settings: Settings) -> Sealer:
    return Sealer.from_settings(settings)


@pytest.fixture(scope="module")
def sealed(catalogue: Catalogue, settings: Settings, sealer: Sealer) -> tuple[str, bytes]:
    item = next(iter(catalogue.items.values()))
    letter = sample_letter(item, Lang.zh)
    pdf = letter_pdf(letter, item, verify_url=settings.verify_url(letter.number))
    return letter.number, sealer.seal(pdf, number=letter.number)


def test_a_fresh_letter_is_intact(sealed: tuple[str, bytes], sealer: Sealer) -> None:
    number, pdf = sealed
    check = sealer.verify(pdf)
    assert check.verdict is Verdict.intact
    assert check.number == number


def content_offsets(pdf: bytes) -> list[int]:
    """Offsets of bytes inside the page content streams, which the seal's digest covers."""
    offsets = []
    start = 0
    while (start := pdf.find(b"stream\n", start)) != -1:
        offsets.append(start + len(b"stream\n") + 20)
        start += 1
    return offsets[:5]


@pytest.mark.parametrize("which", range(5))
def test_a_single_changed_byte_breaks_the_seal(sealed: tuple[str, bytes], sealer: Sealer, which: int) -> None:
    _, pdf = sealed
    altered = bytearray(pdf)
    altered[content_offsets(pdf)[which]] ^= 0x01
    assert sealer.verify(bytes(altered)).verdict is Verdict.altered


def test_a_change_appended_after_sealing_is_caught(sealed: tuple[str, bytes], sealer: Sealer) -> None:
    _, pdf = sealed
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Lang"] = writer.root.get("/Lang", "zh")  # any change at all, however harmless
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert sealer.verify(out.getvalue()).verdict is Verdict.altered


def test_a_seal_by_another_key_is_not_ours(
    catalogue: Catalogue, settings: Settings, sealer: Sealer, tmp_path: Path
) -> None:
    item = next(iter(catalogue.items.values()))
    letter = sample_letter(item, Lang.zh)
    pdf = letter_pdf(letter, item, verify_url=settings.verify_url(letter.number))
    stranger = Sealer.from_settings(Settings(CHENGNUO_DATA_DIR=tmp_path))
    assert sealer.verify(stranger.seal(pdf, number=letter.number)).verdict is Verdict.not_ours
    assert sealer.verify(pdf).verdict is Verdict.unsigned
    assert sealer.verify(b"GIF89a not a pdf").verdict is Verdict.not_pdf
    assert sealer.verify(pdf[: len(pdf) // 2] + b"garbage").verdict in (Verdict.altered, Verdict.unsigned)


def test_a_pdf_built_to_exhaust_the_reader_is_no_letter_not_a_crash(sealer: Sealer) -> None:
    """Arrays nested thousands deep made pyHanko's reader raise RecursionError: a 500 at /api/verify."""
    check = sealer.verify(deeply_nested("SFJ-2026-000001"))
    assert check.verdict is Verdict.altered and not check.ok


def test_production_seals_with_its_pkcs12(settings: Settings, sealed: tuple[str, bytes], tmp_path: Path) -> None:
    dev = (settings.data_dir / DEV_SEAL_FILE).read_bytes()
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key, cert = load_pem_private_key(dev, None), x509.load_pem_x509_certificate(dev)
    p12 = tmp_path / "platform.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, BestAvailableEncryption(b"s3cret"))  # type: ignore[arg-type]
    )
    production = Sealer.from_settings(
        Settings(CHENGNUO_DATA_DIR=tmp_path, CHENGNUO_SEAL_PKCS12=p12, CHENGNUO_SEAL_PASSWORD="s3cret")
    )
    assert production.certificate.sha256 == Sealer.from_settings(settings).certificate.sha256
    assert not (tmp_path / DEV_SEAL_FILE).exists()
    with pytest.raises(RuntimeError, match="wrong password"):
        Sealer.from_settings(Settings(CHENGNUO_SEAL_PKCS12=p12, CHENGNUO_SEAL_PASSWORD="wrong"))


def test_the_cli_makes_and_verifies_a_sample(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    made = chengnuo("letter", "sample", "SFJ-001", "--lang", "ug", "-o", str(out), CHENGNUO_DATA_DIR=tmp_path)
    assert made.returncode == 0, made.stderr
    verified = chengnuo("letter", "verify", str(out), CHENGNUO_DATA_DIR=tmp_path)
    assert verified.returncode == 0
    assert verified.stdout.startswith("intact") and "SFJ-" in verified.stdout

    data = bytearray(out.read_bytes())
    data[content_offsets(bytes(data))[0]] ^= 0x01
    out.write_bytes(bytes(data))
    broken = chengnuo("letter", "verify", str(out), CHENGNUO_DATA_DIR=tmp_path)
    assert broken.returncode == 1
    assert broken.stdout.startswith("altered")


def test_the_cli_names_unknown_items(tmp_path: Path) -> None:
    result = chengnuo("letter", "sample", "NOPE-1", "-o", str(tmp_path / "x.pdf"), CHENGNUO_DATA_DIR=tmp_path)
    assert result.returncode == 2
    assert "catalogue list" in result.stderr


def test_rendering_is_refused_without_harfbuzz_subsetting(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.text import ffi

    pdf_module._weasyprint.cache_clear()
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    try:
        with pytest.raises(RenderingUnavailable, match="libharfbuzz-subset0"):
            pdf_module.html_to_pdf("<p>x</p>")
    finally:
        monkeypatch.undo()
        pdf_module._weasyprint.cache_clear()
