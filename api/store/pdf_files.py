"""Sealed PDFs on disk: named by the letter and its own SHA-256, encrypted, written durably.

The embedded backend of the document store (api/store/documents): on PostgreSQL, PDFs are rows
instead (api/store/documents/letters.py). The services reach either through the same methods.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag

from api.pii import Vault
from api.store.letters import LetterRecord
from api.store.upload_files import StagedFile
from forms.files import TEMPORARY_PREFIX, write_durably

ENCRYPTED = ".pdf.enc"
CLEAR = ".pdf"  # how the store kept PDFs before they were encrypted: still read, encrypted by the sweep


class PdfUnreadable(Exception):
    """A stored PDF that does not decrypt: replaced, truncated or copied from another letter."""


@dataclass(frozen=True)
class StoredPdf:
    """A file of the store, as its name tells: the letter, the first 16 hex digits of its digest,
    and whether it is a clear one from before."""

    path: Path
    number: str
    digest_prefix: str
    clear: bool

    def names(self, digest: str | None) -> bool:
        """Whether a recorded digest is this file's."""
        return digest is not None and digest.startswith(self.digest_prefix)


class PdfStore:
    def __init__(self, root: Path, vault: Vault) -> None:
        self.root, self._vault = root, vault

    def path(self, record: LetterRecord, sha256: str, suffix: str = ENCRYPTED) -> Path:
        return self.root / str(record.year) / f"{record.number}-{sha256[:16]}{suffix}"

    def _name(self, path: Path) -> str:
        """What the ciphertext is bound to: a file copied over another letter's does not decrypt."""
        return path.relative_to(self.root).as_posix()

    def read(self, record: LetterRecord, revision: int | None = None) -> bytes | None:
        """A recorded revision of the PDF (the current one unless told), or None when none is
        recorded or its file is gone. Every revision is a file of its own, named by its digest."""
        digest = record.pdf_digest(record.pdf_revision if revision is None else revision)
        if digest is None:
            return None
        found = self.read_file(self.path(record, digest))
        if found is None:
            try:
                return self.path(record, digest, CLEAR).read_bytes()
            except FileNotFoundError:
                return None
        return found

    def read_file(self, path: Path) -> bytes | None:
        """An encrypted file's PDF, or None when the file is gone."""
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return self._vault.decrypt_file(blob, name=self._name(path))
        except InvalidTag:
            raise PdfUnreadable(f"{path.name} does not decrypt") from None

    def stage(self, record: LetterRecord, pdf: bytes, revision: int = 0) -> tuple[str, StagedFile]:
        """The PDF's digest, and its file, written durably now: before the transaction that
        records the digest, which then never names a file that is not there."""
        digest = self.write(record, pdf)
        return digest, StagedFile(self.path(record, digest))

    def write(self, record: LetterRecord, pdf: bytes) -> str:
        """Store the PDF durably (synced with its directory before this returns); its digest."""
        digest = hashlib.sha256(pdf).hexdigest()
        self.write_file(self.path(record, digest), pdf)
        return digest

    def write_file(self, path: Path, pdf: bytes) -> None:
        write_durably(path, self._vault.encrypt_file(pdf, name=self._name(path)))

    def delete(self, record: LetterRecord, sha256: str) -> None:
        self.path(record, sha256).unlink(missing_ok=True)

    def encrypt_clear(self, stored: StoredPdf) -> None:
        """Replace a clear file from before with its encrypted copy, which is written first."""
        pdf = stored.path.read_bytes()
        self.write_file(stored.path.with_name(stored.path.name.removesuffix(CLEAR) + ENCRYPTED), pdf)
        stored.path.unlink()

    def files(self) -> Iterator[StoredPdf]:
        """Every letter's file the store holds (temporary files aside)."""
        for path in self.root.glob("*/*.pdf*"):
            clear = path.name.endswith(CLEAR)
            stem = path.name.removesuffix(CLEAR if clear else ENCRYPTED)
            number, _, prefix = stem.rpartition("-")
            if not path.name.startswith(TEMPORARY_PREFIX) and number and stem != path.name:
                yield StoredPdf(path, number, prefix, clear)

    def temporary_files(self) -> Iterator[Path]:
        """Writes that never finished (a crash between writing and renaming)."""
        return self.root.glob(f"*/{TEMPORARY_PREFIX}*")
