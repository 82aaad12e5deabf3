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
from typing import TYPE_CHECKING, Any

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
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import EmbeddedPdfSignature, async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from forms.files import create_once
from forms.settings import Settings

if TYPE_CHECKING:
    from forms.countersign import DepartmentSigners

SEAL_FIELD = "ChengnuoSeal"
COUNTERSIGN_FIELD = "DepartmentCountersignature"  # forms/countersign.py
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
class Countersignature:
    """The department's signature on a letter it accepted: its verdict, and whose it is."""

    verdict: Verdict
    department_code: str | None = None
    signer: str | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True)
class SealCheck:
    """The verdict on a PDF (the whole copy: every signature intact), the letter number it claims
    to be, and each signature's own verdict."""

    verdict: Verdict
    number: str | None = None
    signer: str | None = None
    sealed_at: datetime | None = None
    seal: Verdict | None = None  # the platform's seal alone
    countersignature: Countersignature | None = None
    signatures: int = 0

    @property
    def revision(self) -> int:
        """1: the copy the platform sealed at signing; 2: countersigned by the department."""
        return 2 if self.countersignature is not None else 1

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.intact


class Sealer:
    """The platform's signing key and certificate, loaded once per process."""

    def __init__(self, signer: signers.SimpleSigner, departments: DepartmentSigners | None = None) -> None:
        self.signer = signer
        self.certificate: asn1_x509.Certificate = signer.signing_cert
        self.departments = departments  # whose countersignatures this process recognises

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        """Production: the PKCS#12 file and password; otherwise a development key in the data dir."""
        from forms.countersign import DepartmentSigners  # it builds on this module's development keys

        if settings.seal_pkcs12 is not None:
            password = settings.seal_password.get_secret_value().encode() if settings.seal_password else None
            signer = signers.SimpleSigner.load_pkcs12(str(settings.seal_pkcs12), passphrase=password)  # type: ignore[no-untyped-call]
            if signer is None:
                raise RuntimeError(f"cannot read the seal certificate {settings.seal_pkcs12}: wrong password?")
            return cls(signer, DepartmentSigners(settings))
        return cls(_development_signer(settings.data_dir / DEV_SEAL_FILE), DepartmentSigners(settings))

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
        """Tell intact, altered, not ours, unsigned or not a PDF; never raises on bad input.

        A countersigned copy has two signatures: the platform's seal over the first revision (the
        later one may add only the countersignature) and the department's over the whole file.
        """
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
        seal = next((s for s in sealed if s.field_name == SEAL_FIELD), sealed[0])
        counter = [s for s in sealed if s.field_name == COUNTERSIGN_FIELD and s is not seal]
        status = await _validated(seal, self.certificate)
        if status is None:
            return SealCheck(Verdict.altered, number=number, signatures=len(sealed))
        signer = status.signing_cert.subject.human_friendly
        if status.signing_cert.sha256 != self.certificate.sha256:
            return SealCheck(Verdict.not_ours, number=number, signer=signer, signatures=len(sealed))
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        # after the seal, only the countersignature's revision (a signature field and its appearance)
        only_countersigned = (
            len(counter) == 1
            and status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.FORM_FILLING
        )
        seal_ok = status.intact and status.valid and (whole or only_countersigned)
        countersignature = await self._countersignature(counter[0], number) if counter else None
        verdict = Verdict.intact if seal_ok and len(sealed) == 1 + len(counter) <= 2 else Verdict.altered
        if verdict is Verdict.intact and countersignature is not None:
            verdict = countersignature.verdict
        return SealCheck(
            verdict,
            number=number,
            signer=signer,
            sealed_at=status.signer_reported_dt,
            seal=Verdict.intact if seal_ok else Verdict.altered,
            countersignature=countersignature,
            signatures=len(sealed),
        )

    async def _countersignature(self, embedded: EmbeddedPdfSignature, number: str | None) -> Countersignature:
        """The department's signature: by the certificate of the department the letter is of."""
        code = department_of(number) if number else None
        expected = self.departments.certificate(code) if code and self.departments else None
        status = await _validated(embedded, expected)
        if status is None:
            return Countersignature(Verdict.altered, code)
        signer = status.signing_cert.subject.human_friendly
        at = status.signer_reported_dt
        if expected is None or status.signing_cert.sha256 != expected.sha256:
            return Countersignature(Verdict.not_ours, code, signer, at)
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        verdict = Verdict.intact if status.intact and status.valid and whole else Verdict.altered
        return Countersignature(verdict, code, signer, at)


async def _validated(embedded: EmbeddedPdfSignature, trusted: asn1_x509.Certificate | None) -> Any:
    """pyHanko's status of one signature, or None when it does not validate at all."""
    try:
        context = ValidationContext(trust_roots=[trusted] if trusted is not None else [])
        return await async_validate_pdf_signature(embedded, context)
    except SignatureValidationError as error:
        log.info("signature does not validate: %s", error)
    except Exception as error:  # the library failed on this file: logged whole, still no verdict of "ours"
        log.warning("signature could not be validated", exc_info=error)
    return None


def department_of(number: str) -> str:
    """The department code a letter number begins with (SFJ-2026-000042: SFJ)."""
    return number.rsplit("-", 2)[0]


def _number(reader: PdfFileReader) -> str | None:
    try:
        keywords = str(reader.trailer["/Info"].get("/Keywords", ""))
    except (KeyError, TypeError, PdfError):  # no /Info: not one of ours; anything worse reaches verify_async
        return None
    match = NUMBER_KEYWORD.search(keywords)
    return match.group(1) if match else None


DEV_SEAL_NAME = "chengnuo development seal (not for production)"


def _development_signer(path: Path, common_name: str = DEV_SEAL_NAME) -> signers.SimpleSigner:
    """Load the development key, creating it on first use; key and certificate in one file."""
    if not path.exists():
        _write_development_key(path, common_name)
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


def _write_development_key(path: Path, common_name: str = DEV_SEAL_NAME) -> None:
    """A self-signed P-256 certificate, written atomically so that parallel workers agree on one."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chengnuo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
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
        log.warning("created a development seal at %s (%s): not for production", path, common_name)
