"""Drawn signatures waiting for their letter: one encrypted file per (channel user, content hash)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

from api.pii import Vault
from forms import clock
from forms.channels import ChannelUser
from forms.files import write_durably


class DrawingStore:
    """Files under the data directory; a new drawing for the same pair replaces the earlier one.

    The file name is a keyed hash and the content is encrypted with the personal-data key: a
    signature is personal data, and the disk shows neither whose it is nor what it looks like.
    """

    def __init__(self, root: Path, vault: Vault) -> None:
        self.root, self.vault = root, vault

    def path(self, who: ChannelUser, content_hash: str) -> Path:
        name = self.vault.lookup_hash(f"drawn signature {who} {content_hash}")
        return self.root / name[:2] / name

    def put(self, who: ChannelUser, content_hash: str, png: bytes) -> None:
        """Store the drawing; written whole or not at all, so a reader never sees half of it."""
        record = {
            "user": str(who),
            "content_hash": content_hash,
            "stored_at": clock.now().isoformat(),
            "image_png": base64.b64encode(png).decode(),
        }
        write_durably(self.path(who, content_hash), self.vault.encrypt(json.dumps(record)))

    def get(self, who: ChannelUser, content_hash: str) -> bytes | None:
        """The drawing, or None when there is none for this user and letter."""
        try:
            blob = self.path(who, content_hash).read_bytes()
        except FileNotFoundError:
            return None
        record = json.loads(self.vault.decrypt(blob))
        # the pair is inside the ciphertext too: a file copied under another name is not accepted
        if (record.get("user"), record["content_hash"]) != (str(who), content_hash):
            return None
        return base64.b64decode(record["image_png"])

    def files(self) -> Iterator[Path]:
        """Every file under the store, drawings and unfinished writes alike (for the sweep)."""
        return (path for path in self.root.glob("*/*") if path.is_file())
