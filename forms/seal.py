"""Seal letters with the platform's certificate (PAdES) and tell whether a PDF is one of ours, intact."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from forms.files import create_once
from forms.settings import Settings

SEAL_FIELD = "ChengnuoSeal"
DEV_SEAL_FILE = "seal/development-seal.pem"
NUMBER_KEYWORD = re.compile(r"chengnuo-letter-number:([A-Z0-9-]+)")
log = logging.getLogger(__name__)


class Verdict(StrEnum):
    intact = "intact"  # sealed by us, not a byte changed since
    altered = "altered"  # sealed, but changed after sealing, or no longer readable
    not_ours = "not_ours"  # sealed by a certificate that is not the platform's
    unsigned = "unsigned"  # a PDF without any seal
    not_pdf = "not_pdf"


@dataclass(frozen=True)
class SealCheck:
    """The verdict on a PDF, and the letter number it claims to be."""

    verdict: Verdict
    number: str | None = None
    signer: str | None = None
    sealed_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.intact


class Sealer:
    """The platform's signing key and certificate, loaded once per process."""

    def __init__(self, signer: signers.SimpleSigner) -> None:
        self.signer = signer
        self.certificate: asn1_x509.Certificate = signer.signing_cert

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        """Production: the PKCS#12 file and password; otherwise a development key in the data dir."""
        if settings.seal_pkcs12 is not None:
            password = settings.seal_password.get_secret_value().encode() if settings.seal_password else None
            signer = signers.SimpleSigner.load_pkcs12(str(settings.seal_pkcs12), passphrase=password)  # type: ignore[no-untyped-call]
            if signer is None:
                raise RuntimeError(f"cannot read the seal certificate {settings.seal_pkcs12}: wrong password?")
            return cls(signer)
        return cls(_development_signer(settings.data_dir / DEV_SEAL_FILE))

    def seal(self, pdf: bytes, *, number: str) -> bytes:
        """Append a PAdES signature over the whole file."""
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=f"chengnuo letter {number}",
        )
        out = signers.sign_pdf(writer, meta, signer=self.signer, output=io.BytesIO())
        return bytes(out.getvalue())

    def verify(self, pdf: bytes) -> SealCheck:
        """verify_async for code without an event loop (the CLI, worker threads)."""
        return asyncio.run(self.verify_async(pdf))

    async def verify_async(self, pdf: bytes) -> SealCheck:
        """Tell intact, altered, not ours, unsigned or not a PDF; never raises on bad input."""
        if not pdf.lstrip()[:5].startswith(b"%PDF"):
            return SealCheck(Verdict.not_pdf)
        # Anyone may upload anything: whatever the PDF library cannot read (a damaged file, or one
        # built to hurt, such as objects nested deep enough to exhaust the recursion limit) is no
        # letter of ours, never an error of the server.
        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            sealed = reader.embedded_signatures
            number = _number(reader)
        except Exception as error:
            log.info("unreadable PDF: %r", error)
            return SealCheck(Verdict.altered)
        if not sealed:
            return SealCheck(Verdict.unsigned, number=number)
        try:
            status = await async_validate_pdf_signature(sealed[-1], ValidationContext(trust_roots=[self.certificate]))
        except SignatureValidationError as error:
            log.info("seal does not validate: %s", error)
            return SealCheck(Verdict.altered, number=number)
        except Exception as error:  # the library failed on this file: logged whole, still no verdict of "ours"
            log.warning("seal could not be validated", exc_info=error)
            return SealCheck(Verdict.altered, number=number)
        signer = status.signing_cert.subject.human_friendly
        if status.signing_cert.sha256 != self.certificate.sha256:
            return SealCheck(Verdict.not_ours, number=number, signer=signer)
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        verdict = Verdict.intact if status.intact and status.valid and whole else Verdict.altered
        return SealCheck(verdict, number=number, signer=signer, sealed_at=status.signer_reported_dt)


def _number(reader: PdfFileReader) -> str | None:
    try:
        keywords = str(reader.trailer["/Info"].get("/Keywords", ""))
    except (KeyError, TypeError, PdfError):  # no /Info: not one of ours; anything worse reaches verify_async
        return None
    match = NUMBER_KEYWORD.search(keywords)
    return match.group(1) if match else None


def _development_signer(path: Path) -> signers.SimpleSigner:
    """Load the development key, creating it on first use; key and certificate in one file."""
    if not path.exists():
        _write_development_key(path)
    data = path.read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    cert = x509.load_pem_x509_certificate(data)
    cert_asn1 = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=cert_asn1,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([cert_asn1]),  # type: ignore[no-untyped-call]
    )


def _write_development_key(path: Path) -> None:
    """A self-signed P-256 certificate, written atomically so that parallel workers agree on one."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chengnuo"),
            x509.NameAttribute(NameOID.COMMON_NAME, "chengnuo development seal (not for production)"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    if create_once(path, pem + cert.public_bytes(serialization.Encoding.PEM)):
        log.warning("created a development seal at %s: set CHENGNUO_SEAL_PKCS12 in production", path)
