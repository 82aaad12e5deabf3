"""Uploaded files on disk, encrypted with the personal-data key (an authorisation shows ID numbers)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from api.pii import Vault


class UploadFiles:
    def __init__(self, root: Path, vault: Vault) -> None:
        self.root, self._vault = root, vault

    def path(self, upload_id: str) -> Path:
        return self.root / upload_id[3:5] / upload_id  # "up_" + random: two random characters shard them

    def write(self, upload_id: str, data: bytes) -> None:
        target = self.path(upload_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
        tmp.write_bytes(self._vault.encrypt_file(data, name=upload_id))
        os.replace(tmp, target)

    def read(self, upload_id: str) -> bytes | None:
        """The file as it was received, or None when it is gone."""
        try:
            blob = self.path(upload_id).read_bytes()
        except FileNotFoundError:
            return None
        return self._vault.decrypt_file(blob, name=upload_id)

    def delete(self, upload_id: str) -> None:
        self.path(upload_id).unlink(missing_ok=True)
