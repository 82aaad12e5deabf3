"""Staff passwords: argon2, a few hashes at a time, never inside a transaction.

Each hash or check takes 64 MiB and a core for about 0.1 s (argon2-cffi's defaults, RFC 9106's
second recommendation). Unbounded, 40 parallel logins took 2.5 GiB; inside a write transaction a
hash held SQLite's lock from every other writer. Callers beyond the bound wait their turn; the
async ones wait without holding one of the server's worker threads.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from functools import cached_property

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# a person can type them: 4 groups of 4 characters, none that look alike
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password() -> str:
    """A one-time password: 4 groups of 4 unambiguous characters."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


@dataclass(frozen=True)
class OneTimePassword:
    """Shown once to the person it is for; the store keeps only the hash."""

    text: str
    hashed: str


class Passwords:
    """argon2 hashes and checks, at most `at_once` of them running in this process."""

    def __init__(self, at_once: int, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._running = threading.BoundedSemaphore(at_once)  # every caller, from any thread
        self._turns = anyio.CapacityLimiter(at_once)  # async callers wait here, holding no thread

    @cached_property
    def _decoy(self) -> str:
        """A hash of nothing anyone knows, checked for usernames that do not exist: as slow."""
        return self._hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        """The password's hash (blocks while others run)."""
        with self._running:
            return self._hasher.hash(password)

    def matches(self, hashed: str | None, password: str) -> bool:
        """Whether the password is the hashed one; None (no such account) costs a check too."""
        with self._running:
            try:
                return self._hasher.verify(hashed or self._decoy, password) and hashed is not None
            except (VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, hashed: str) -> bool:
        """Hashed with weaker parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return True

    def one_time(self) -> OneTimePassword:
        return OneTimePassword(text := new_password(), self.hash(text))

    async def check(self, hashed: str | None, password: str) -> bool:
        """`matches`, waiting for a turn on the event loop rather than in a worker thread."""
        return await anyio.to_thread.run_sync(self.matches, hashed, password, limiter=self._turns)

    async def hashed(self, password: str) -> str:
        """`hash`, waiting for a turn on the event loop rather than in a worker thread."""
        return await anyio.to_thread.run_sync(self.hash, password, limiter=self._turns)
