"""Drawn signatures waiting for their letter: one encrypted file per (channel user, content hash)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from api.pii import Vault
from forms import clock
from forms.channels import ChannelUser
from forms.files import write_durably


def drawing_key(vault: Vault, who: ChannelUser | str, content_hash: str) -> str:
    """A drawing's name in the store: a keyed hash, which shows neither whose it is nor for what."""
    return vault.lookup_hash(f"drawn signature {who} {content_hash}")


def drawing_record(who: ChannelUser, content_hash: str, png: bytes) -> bytes:
    """What is stored (encrypted): the pair again, so that a drawing moved under another name is refused."""
    record = {
        "user": str(who),
        "content_hash": content_hash,
        "stored_at": clock.now().isoformat(),
        "image_png": base64.b64encode(png).decode(),
    }
    return json.dumps(record).encode()


def drawing_image(plain: bytes | str, who: ChannelUser, content_hash: str) -> bytes | None:
    """The PNG of a stored record, if it is this user's drawing for this letter."""
    record = json.loads(plain)
    if (record.get("user"), record["content_hash"]) != (str(who), content_hash):
        return None
    return base64.b64decode(record["image_png"])


class DrawingStore:
    """Files under the data directory (the embedded backend; on PostgreSQL drawings are rows:
    api/store/documents/drawings.py); a new drawing for the same pair replaces the earlier one.

    The file name is a keyed hash and the content is encrypted with the personal-data key: a
    signature is personal data, and the disk shows neither whose it is nor what it looks like.
    """

    def __init__(self, root: Path, vault: Vault) -> None:
        self.root, self.vault = root, vault

    def path(self, who: ChannelUser, content_hash: str) -> Path:
        name = drawing_key(self.vault, who, content_hash)
        return self.root / name[:2] / name

    def put(self, who: ChannelUser, content_hash: str, png: bytes, *, session: Session | None = None) -> None:
        """Store the drawing now (the session is the database backend's: a file needs none);
        written whole or not at all, so a reader never sees half of it."""
        record = drawing_record(who, content_hash, png)
        write_durably(self.path(who, content_hash), self.vault.encrypt(record.decode()))

    def get(self, who: ChannelUser, content_hash: str) -> bytes | None:
        """The drawing, or None when there is none for this user and letter."""
        try:
            blob = self.path(who, content_hash).read_bytes()
        except FileNotFoundError:
            return None
        # the pair is inside the ciphertext too: a file copied under another name is not accepted
        return drawing_image(self.vault.decrypt(blob), who, content_hash)

    def files(self) -> Iterator[Path]:
        """Every file under the store, drawings and unfinished writes alike (for the sweep)."""
        return (path for path in self.root.glob("*/*") if path.is_file())
