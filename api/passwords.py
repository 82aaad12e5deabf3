"""Staff passwords: argon2 in a few threads of its own, at a low priority, never inside a transaction.

Each hash or check takes 64 MiB and a core for about 0.1 s (argon2-cffi's defaults, RFC 9106's
second recommendation). Unbounded, 40 parallel logins took 2.5 GiB; inside a write transaction a
hash held SQLite's lock from every other writer. Here at most `at_once` run, in threads that ask the
kernel for less CPU than the server's own (nice 10): under a flood of logins the logins wait, in a
queue that holds no worker thread, and the rest of the API does not.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

LOW_PRIORITY = 10  # the nice value of the hashing threads

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
        # idle threads cost nothing and end with the process: nothing to close (an app's lifespan
        # may end while its services serve another, as in tests)
        self._threads = ThreadPoolExecutor(at_once, thread_name_prefix="argon2", initializer=_low_priority)

    @cached_property
    def _decoy(self) -> str:
        """A hash of nothing anyone knows, checked for usernames that do not exist: as slow."""
        return self._hasher.hash(secrets.token_urlsafe(24))

    def _verify(self, hashed: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(hashed or self._decoy, password) and hashed is not None
        except (VerificationError, InvalidHashError):
            return False

    def hash(self, password: str) -> str:
        """The password's hash; waits for its turn (call it from a worker thread, not the event loop)."""
        return self._threads.submit(self._hasher.hash, password).result()

    def matches(self, hashed: str | None, password: str) -> bool:
        """Whether the password is the hashed one; None (no such account) costs a check too."""
        return self._threads.submit(self._verify, hashed, password).result()

    async def check(self, hashed: str | None, password: str) -> bool:
        """`matches`, awaited: a login waiting for its turn holds no thread."""
        return await asyncio.wrap_future(self._threads.submit(self._verify, hashed, password))

    async def hashed(self, password: str) -> str:
        """`hash`, awaited."""
        return await asyncio.wrap_future(self._threads.submit(self._hasher.hash, password))

    def needs_rehash(self, hashed: str) -> bool:
        """Hashed with weaker parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return True

    def one_time(self) -> OneTimePassword:
        return OneTimePassword(text := new_password(), self.hash(text))


def _low_priority() -> None:
    """On Linux a thread has its own nice value (elsewhere this would slow the whole process)."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY)
