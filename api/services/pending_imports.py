"""Uploaded dishonesty lists waiting for the administrator's "apply", so it needs no second upload.

The list names people (PIPL): it is kept encrypted with the personal-data key, under a file name
derived from the token, for 30 minutes at most, and deleted when it is applied.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidTag

from api.errors import ApiError
from api.pii import Vault
from forms import clock
from forms.files import write_durably

LIFETIME = timedelta(minutes=30)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Kept:
    """What the preview's "apply" form carries back: the token and the file's SHA-256."""

    token: str
    sha256: str
    expires_at: datetime


def expired() -> ApiError:
    return ApiError(410, "credit.import_expired", "the previewed list is no longer kept: upload it again")


class PendingImports:
    """One encrypted file per upload: a header line (who, when, SHA-256), then the bytes."""

    def __init__(self, root: Path, vault: Vault, *, lifetime: timedelta = LIFETIME) -> None:
        self.root, self.vault, self.lifetime = root, vault, lifetime

    def _path(self, token: str) -> Path:
        # the name is the token's hash: the disk does not show what the form must carry
        return self.root / hashlib.sha256(token.encode()).hexdigest()

    def keep(self, data: bytes, *, owner: str) -> Kept:
        self.sweep()
        token, kept_at = secrets.token_urlsafe(24), clock.now()
        digest = hashlib.sha256(data).hexdigest()
        header = json.dumps({"owner": owner, "kept_at": kept_at.isoformat(), "sha256": digest}).encode()
        target = self._path(token)
        write_durably(target, self.vault.encrypt_file(header + b"\n" + data, name=target.name))
        return Kept(token, digest, kept_at + self.lifetime)

    def take(self, token: str, *, owner: str, sha256: str) -> bytes:
        """The kept bytes, once, for whoever kept them, in time; 410 credit.import_expired otherwise.

        They are gone from here once taken: an import that then fails is uploaded again.
        """
        if not TOKEN_PATTERN.match(token):
            raise expired()
        path = self._path(token)
        try:
            plain = self.vault.decrypt_file(path.read_bytes(), name=path.name)
        except (FileNotFoundError, InvalidTag):
            raise expired() from None
        head, _, data = plain.partition(b"\n")
        header = json.loads(head)
        if clock.now() - datetime.fromisoformat(header["kept_at"]) > self.lifetime:
            path.unlink(missing_ok=True)
            raise expired()
        if header["owner"] != owner or header["sha256"] != sha256 or hashlib.sha256(data).hexdigest() != sha256:
            raise expired()
        claimed = path.with_name(f".{path.name}.taken-{secrets.token_hex(4)}")
        try:
            os.rename(path, claimed)  # atomic: of two "apply" clicks, one finds nothing
        except FileNotFoundError:
            raise expired() from None
        claimed.unlink()
        return data

    def sweep(self) -> None:
        """Forget the uploads nobody applied in time (and a write cut off halfway)."""
        if not self.root.is_dir():
            return
        cutoff = clock.now().timestamp() - self.lifetime.total_seconds()
        for path in self.root.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:  # another worker swept it first
                continue
