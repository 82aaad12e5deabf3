"""Uploaded files on disk, encrypted with the personal-data key (an authorisation shows ID numbers)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from api.pii import Vault
from forms.files import TEMPORARY_PREFIX, write_durably


@dataclass(frozen=True)
class StagedFile:
    """A document already on disk for good, before the transaction that records it: recording
    adds nothing to it, and a transaction that does not commit leaves a file to remove."""

    path: Path

    def record(self, session: Session) -> None:
        return None

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class UploadFiles:
    def __init__(self, root: Path, vault: Vault) -> None:
        self.root, self._vault = root, vault

    def path(self, upload_id: str) -> Path:
        return self.root / upload_id[3:5] / upload_id  # "up_" + random: two random characters shard them

    def write(self, upload_id: str, data: bytes) -> None:
        """Encrypted and synced to disk before the upload is acknowledged."""
        write_durably(self.path(upload_id), self._vault.encrypt_file(data, name=upload_id))

    def stage(self, upload_id: str, data: bytes) -> StagedFile:
        """Written (encrypted, synced) now, before the upload's row is committed."""
        self.write(upload_id, data)
        return StagedFile(self.path(upload_id))

    def read(self, upload_id: str) -> bytes | None:
        """The file as it was received, or None when it is gone."""
        try:
            blob = self.path(upload_id).read_bytes()
        except FileNotFoundError:
            return None
        return self._vault.decrypt_file(blob, name=upload_id)

    def delete(self, upload_id: str) -> None:
        self.path(upload_id).unlink(missing_ok=True)

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every stored upload's id and file (temporary files aside)."""
        for path in self.root.glob("*/up_*"):
            yield path.name, path

    def temporary_files(self) -> Iterator[Path]:
        return self.root.glob(f"*/{TEMPORARY_PREFIX}*")
