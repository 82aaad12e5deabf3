"""Sealed PDFs on disk, named by their own SHA-256: a file and its recorded digest always agree."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from api.store.letters import LetterRecord


class PdfStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, record: LetterRecord, sha256: str) -> Path:
        return self.root / str(record.year) / f"{record.number}-{sha256[:16]}.pdf"

    def read(self, record: LetterRecord) -> bytes | None:
        """The stored PDF, or None when it was never written or its file is gone."""
        if record.pdf_sha256 is None:
            return None
        try:
            return self.path(record, record.pdf_sha256).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, record: LetterRecord, pdf: bytes) -> str:
        digest = hashlib.sha256(pdf).hexdigest()
        target = self.path(record, digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
        tmp.write_bytes(pdf)
        os.replace(tmp, target)
        return digest
