"""Personal data at rest (PIPL): ID and phone numbers encrypted, found again through a keyed hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from forms.files import create_once

KEY_FILE = "keys/personal-data.key"


class Vault:
    """Encrypts personal data and makes its lookup hashes; the key never enters the database."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the personal-data key must be 32 bytes")
        self._master = master_key

    @classmethod
    def from_key_file(cls, path: Path) -> Vault:
        """Load the key, creating it on first run (production keeps this file off the data disk)."""
        create_once(path, base64.b64encode(secrets.token_bytes(32)))
        return cls(base64.b64decode(path.read_bytes().strip()))

    def _derive(self, purpose: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(self._master)

    @cached_property
    def _cipher(self) -> AESGCM:
        return AESGCM(self._derive(b"chengnuo personal data encryption"))

    @cached_property
    def _hash_key(self) -> bytes:
        return self._derive(b"chengnuo personal data lookup")

    def encrypt(self, text: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._cipher.encrypt(nonce, text.encode(), None)

    def decrypt(self, blob: bytes) -> str:
        return self._cipher.decrypt(blob[:12], blob[12:], None).decode()

    @cached_property
    def _file_cipher(self) -> AESGCM:
        return AESGCM(self._derive(b"chengnuo uploaded files encryption"))

    def encrypt_file(self, data: bytes, *, name: str) -> bytes:
        """A file's bytes, bound to its name: a file copied over another one does not decrypt."""
        nonce = os.urandom(12)
        return nonce + self._file_cipher.encrypt(nonce, data, name.encode())

    def decrypt_file(self, blob: bytes, *, name: str) -> bytes:
        return self._file_cipher.decrypt(blob[:12], blob[12:], name.encode())

    def lookup_hash(self, text: str) -> str:
        """Equal for equal canonical values, useless without the key (a plain hash of an ID is
        guessable: there are only a few billion valid ones)."""
        return hmac.new(self._hash_key, text.encode(), hashlib.sha256).hexdigest()
